#!/usr/bin/env bash
# The one test command: installs what is missing, starts the real servers, runs every test suite,
# then the stack checks: static (promtool, amtool, docker-compose, dashboard JSON) and live (real
# Prometheus and Alertmanager scraping real coinflux processes fed by the simulator).
# Extra arguments go to `swift test` and skip the stack checks, e.g. scripts/test.sh --filter KafkaTests
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
status=0
scripts/with-services.sh swift test "$@" || status=$?
if [ $# -eq 0 ]; then
    scripts/check-stack.sh || status=1
    scripts/with-services.sh python3 scripts/stack-test.py --skip-static --coinflux .build/debug/coinflux || status=1
fi
if [ "$status" -ne 0 ]; then echo "test.sh: FAILED" >&2; else echo "test.sh: all passed"; fi
exit "$status"
