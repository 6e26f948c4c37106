#!/usr/bin/env bash
# The main job on a machine without internet: the exchange simulator serves all five protocols,
# `coinflux collect` streams them into a local Kafka-protocol broker, and the events are printed
# live from the topic with kcat. Ctrl-C stops everything.
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
    trap 'kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null' EXIT

    "$bin" simulate --port "$sim_port" --rate 5 --log-level warning &
    pids+=($!)
    local settings=(--set "kafka.brokers=$COINFLUX_TEST_KAFKA" --set "telemetry.listen=127.0.0.1:$telemetry_port")
    for pair in binance:binance/ws upbit:upbit/websocket/v1 bybit:bybit/v5/public/spot bithumb:bithumb/websocket/v1 coinone:coinone/; do
        local exchange=${pair%%:*} path=${pair#*:}
        settings+=(--set "collector.$exchange.url=ws://127.0.0.1:$sim_port/$path"
                   --set "collector.$exchange.rest_url=http://127.0.0.1:$sim_port/$exchange")
    done
    "$bin" collect "${settings[@]}" &
    pids+=($!)

    echo "demo: metrics at http://127.0.0.1:$telemetry_port/metrics — events from market.ticks follow"
    sleep 3
    if [ -n "${DEMO_SECONDS:-}" ]; then
        timeout "$DEMO_SECONDS" kcat -b "$COINFLUX_TEST_KAFKA" -C -t market.ticks -o end -u -q || true
        echo "demo: feed status after ${DEMO_SECONDS}s:"
        curl -s "http://127.0.0.1:$telemetry_port/metrics" | grep -E '^coinflux_(feed_connected|feed_events_total|producer_messages_total)'
    else
        kcat -b "$COINFLUX_TEST_KAFKA" -C -t market.ticks -o end -u -q
    fi
}
export -f run_demo
export bin
scripts/with-services.sh bash -c run_demo
