#!/usr/bin/env bash
# The main job on a machine without internet: the exchange simulator serves all five protocols,
# `coinflux run` (collector and processor in one process) streams them through a local
# Kafka-protocol broker into a local InfluxDB 1.6, and the derived series are printed from
# InfluxDB every five seconds. Ctrl-C stops everything.
#
#   scripts/demo.sh            # runs until Ctrl-C
#   DEMO_SECONDS=30 scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# A debug build is plenty for the simulator's modest rate and reuses what scripts/test.sh built.
swift build --product coinflux
bin=.build/debug/coinflux

run_demo() {
    local sim_port telemetry_port
    sim_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    telemetry_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # Global, not local: the EXIT trap runs after the function's locals are gone.
    pids=()
    # Last started, first stopped: coinflux run ends before the simulator it reads from.
    trap 'for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; wait "${pids[i]}" 2>/dev/null; done' EXIT

    "$bin" simulate --port "$sim_port" --rate 5 --log-level warning &
    pids+=($!)
    curl -s -XPOST "$COINFLUX_TEST_INFLUXDB/query" --data-urlencode "q=CREATE DATABASE market" >/dev/null
    local settings=(--set "kafka.brokers=$COINFLUX_TEST_KAFKA" --set "influxdb.url=$COINFLUX_TEST_INFLUXDB"
                    --set "telemetry.listen=127.0.0.1:$telemetry_port" --set "log.level=notice")
    for pair in binance:binance/ws upbit:upbit/websocket/v1 bybit:bybit/v5/public/spot bithumb:bithumb/websocket/v1 coinone:coinone/; do
        local exchange=${pair%%:*} path=${pair#*:}
        settings+=(--set "collector.$exchange.url=ws://127.0.0.1:$sim_port/$path"
                   --set "collector.$exchange.rest_url=http://127.0.0.1:$sim_port/$exchange")
    done
    "$bin" run "${settings[@]}" &
    pids+=($!)

    echo "demo: metrics at http://127.0.0.1:$telemetry_port/metrics, InfluxDB at $COINFLUX_TEST_INFLUXDB (database market)"
    local deadline=$(( $(date +%s) + ${DEMO_SECONDS:-31536000} ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        sleep 5
        echo "---- $(date +%T) latest ticker per series (price, EMA, deviation) and premium over binance"
        curl -s -G "$COINFLUX_TEST_INFLUXDB/query" --data-urlencode db=market \
            --data-urlencode "q=SELECT last(price) AS price, last(ema) AS ema, last(deviation) AS deviation FROM ticker GROUP BY exchange, symbol; SELECT last(premium) AS premium FROM premium GROUP BY exchange, symbol" |
            python3 -c '
import json, sys
for result in json.load(sys.stdin).get("results", []):
    for series in result.get("series", []):
        tags = series["tags"]; row = series["values"][0][1:]
        print("  %-8s %-9s %s" % (series["name"], tags["exchange"], tags["symbol"]), "  ".join("%s=%.6g" % (c, v) for c, v in zip(series["columns"][1:], row)))
'
    done
    echo "demo: pipeline metrics:"
    curl -s "http://127.0.0.1:$telemetry_port/metrics" | grep -E '^coinflux_(feed_connected|processor_points_total|influxdb_points_written_total)'
}
export -f run_demo
export bin
scripts/with-services.sh bash -c run_demo
