#!/usr/bin/env bash
# The one test command: installs what is missing, starts the real servers, runs every test suite.
# Extra arguments go to `swift test`, e.g. scripts/test.sh --filter KafkaTests
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/with-services.sh swift test "$@"
