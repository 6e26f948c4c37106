#!/usr/bin/env bash
# Builds coinflux-bench in release mode and runs it with a local broker and InfluxDB up.
# Prints every figure beside its baseline; the README's performance table comes from this output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product coinflux-bench
scripts/with-services.sh .build/release/coinflux-bench "$@"
