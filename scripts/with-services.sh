#!/usr/bin/env bash
# Runs a command with real servers up on loopback, then stops them, whatever the command's outcome:
#   - a Kafka-protocol broker (noida-db)  -> COINFLUX_TEST_KAFKA=127.0.0.1:PORT
#                                            COINFLUX_TEST_KAFKA_PGID=its process group (CPU accounting)
#   - InfluxDB 1.x (influxd)              -> COINFLUX_TEST_INFLUXDB=http://127.0.0.1:PORT
# Each gets a free port and a temporary data directory. Server logs go to $COINFLUX_SERVICES_DIR.
# Usage: scripts/with-services.sh COMMAND [ARGS...]   (exit status is the command's)
set -euo pipefail

work=$(mktemp -d /tmp/coinflux-services.XXXXXX)
export COINFLUX_SERVICES_DIR="$work"
pids=()  # each server runs in its own session (setsid), so its pid is also its process group id

stop_all() {
    # Signal whole process groups: noida-db is started through a launcher whose child is the server.
    for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 -- "-$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop_all EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # description, tries, command...
    local what=$1 tries=$2; shift 2
    for _ in $(seq "$tries"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    echo "with-services: $what did not come up; its log:" >&2
    cat "$work"/*.log >&2 || true
    return 1
}

# Kafka-protocol broker.
kafka_port=$(free_port)
mkdir -p "$work/kafka"
setsid noida-db start --only kafka --kafka-port "$kafka_port" --data-dir "$work/kafka" >"$work/kafka.log" 2>&1 &
pids+=($!)
wait_for "noida-db (kafka on $kafka_port)" 150 kcat -b "127.0.0.1:$kafka_port" -L -m 2
export COINFLUX_TEST_KAFKA="127.0.0.1:$kafka_port"
export COINFLUX_TEST_KAFKA_PGID="${pids[-1]}"  # the broker's process group, for CPU accounting

# InfluxDB 1.x.
influx_port=$(free_port)
influx_rpc_port=$(free_port)
mkdir -p "$work/influxdb"
sed -e "s|@DIR@|$work/influxdb|g" -e "s|@HTTP_PORT@|$influx_port|g" -e "s|@RPC_PORT@|$influx_rpc_port|g" \
    "$(dirname "$0")/influxdb-test.conf" >"$work/influxdb.conf"
setsid influxd -config "$work/influxdb.conf" >"$work/influxdb.log" 2>&1 &
pids+=($!)
wait_for "influxd (http on $influx_port)" 150 curl -sf "http://127.0.0.1:$influx_port/ping"
export COINFLUX_TEST_INFLUXDB="http://127.0.0.1:$influx_port"

echo "with-services: kafka $COINFLUX_TEST_KAFKA, influxdb $COINFLUX_TEST_INFLUXDB"
set +e
"$@"
status=$?
set -e
exit $status
