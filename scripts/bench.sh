#!/usr/bin/env bash
# Builds coinflux-bench in release mode and runs it with a local broker and InfluxDB up.
# Prints every figure beside its baseline; the tables of docs/performance.md come from this output.
# Arguments choose sections (codec exchanges books core kafka influx collector collector-rates processor),
# e.g. scripts/bench.sh processor
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product coinflux-bench
# The sections that run the real binary get it linked as the Dockerfile links it: the Swift runtime
# statically (a smaller resident set). A build folder of its own keeps both builds incremental.
swift build -c release --static-swift-stdlib --scratch-path .build-static --product coinflux
# collector-rates measures cryptofeed beside coinflux (issue #14): its peer runs in a virtualenv of
# its own, made once (and kept out of git by .build*/).
peer=()
if [ $# -eq 0 ] || [[ " $* " == *" collector-rates "* ]]; then
    scripts/peer/setup.sh
    peer=(COINFLUX_PEER_PYTHON=.build-peer/venv/bin/python)
fi
scripts/with-services.sh env COINFLUX_BINARY=.build-static/release/coinflux "${peer[@]}" .build/release/coinflux-bench "$@"
