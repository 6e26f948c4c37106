#!/usr/bin/env bash
# Soak: simulator -> collect -> Kafka -> process -> InfluxDB for MINUTES (default 10) with faults on
# a schedule, sampling RSS, FDs and threads; fails on growth that does not level off or a lost point.
# What it checks exactly: scripts/soak.py. Uses .build/debug/coinflux (or $COINFLUX_BIN).
# Usage: scripts/soak.sh [MINUTES] [--rate TRADES_PER_SECOND_PER_MARKET]
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/soak.py "$@"
