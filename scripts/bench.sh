#!/usr/bin/env bash
# Builds coinflux-bench in release mode and runs it with a local broker and InfluxDB up.
# Prints every figure beside its baseline; the README's performance table comes from this output.
# Arguments choose sections (codec exchanges core kafka influx collector processor), e.g. scripts/bench.sh processor
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product coinflux-bench
swift build -c release --product coinflux  # the processor section runs the real binary
scripts/with-services.sh env COINFLUX_BINARY=.build/release/coinflux .build/release/coinflux-bench "$@"
