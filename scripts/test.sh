#!/usr/bin/env bash
# The one test command: installs what is missing, starts the real servers, runs every test suite,
# then the stack checks: static (promtool, amtool, docker-compose, dashboard JSON) and live (real
# Prometheus and Alertmanager scraping real coinflux processes fed by the simulator).
# Extra arguments go to `swift test` and skip the stack checks, e.g. scripts/test.sh --filter KafkaTests
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
status=0
# One test at a time: many suites time keepalives, backoff and outages in seconds, and 2 cores
# running them all at once (plus the servers and the processes they start) made those flaky.
scripts/with-services.sh swift test --no-parallel "$@" || status=$?
if [ $# -eq 0 ]; then
    scripts/check-stack.sh || status=1
    scripts/soak.sh 1 || status=1
    scripts/with-services.sh python3 scripts/stack-test.py --skip-static --coinflux .build/debug/coinflux || status=1
fi
if [ "$status" -ne 0 ]; then echo "test.sh: FAILED" >&2; else echo "test.sh: all passed"; fi
exit "$status"
