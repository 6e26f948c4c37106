#!/bin/bash
# One-shot, after InfluxDB is healthy (compose service `influxdb-init`, as root, with InfluxDB's
# CLI configuration, which holds the operator token setup generated). Idempotent: it runs on
# every `docker compose up` and only creates what is missing.
#   - bucket `demo` next to `market` (the offline demo writes there, never into `market`);
#   - InfluxQL databases `market` and `demo` (DBRP mappings, retention policy `autogen`) for
#     Grafana's InfluxQL data source;
#   - a token that may only WRITE the two buckets, for the processors: $SECRETS/processor-influxdb.yml,
#     a coinflux configuration file (`coinflux process --config` reads it), owned by uid 10001;
#   - a token that may only READ them, for Grafana: $SECRETS/grafana-influxdb-token, uid 472.
# A token file whose token InfluxDB no longer knows (its volume was reset) is replaced.
set -euo pipefail
SECRETS=${SECRETS:-/run/coinflux-secrets}
ORG=${DOCKER_INFLUXDB_INIT_ORG:?}
export INFLUX_HOST=${INFLUX_HOST:-http://influxdb:8086}

bucket_id() {
    influx bucket list --org "$ORG" --name "$1" --hide-headers 2>/dev/null | cut -f 1
}

known_tokens=$(influx auth list --json)
token_known() { # token
    [ -n "$1" ] && grep -qF "\"token\": \"$1\"" <<<"$known_tokens"
}

market=$(bucket_id market)
[ -n "$market" ] || { echo "tokens.sh: no bucket market (setup did not run?)" >&2; exit 1; }
demo=$(bucket_id demo)
if [ -z "$demo" ]; then
    influx bucket create --org "$ORG" --name demo --retention "${DEMO_RETENTION:-7d}" >/dev/null
    demo=$(bucket_id demo)
    echo "tokens.sh: created bucket demo"
fi

for pair in "market:$market" "demo:$demo"; do
    db=${pair%%:*} id=${pair#*:}
    if ! influx v1 dbrp list --org "$ORG" --db "$db" --hide-headers 2>/dev/null | grep -q .; then
        influx v1 dbrp create --org "$ORG" --bucket-id "$id" --db "$db" --rp autogen --default >/dev/null
        echo "tokens.sh: InfluxQL database $db/autogen -> bucket $db"
    fi
done

new_token() { # description, permission flags...
    local description=$1; shift
    influx auth create --org "$ORG" --description "$description" "$@" --json |
        sed -n 's/.*"token": "\([^"]*\)".*/\1/p'
}

processor_file="$SECRETS/processor-influxdb.yml"
current=$(sed -n 's/^  token: "\(.*\)"$/\1/p' "$processor_file" 2>/dev/null || true)
if ! token_known "$current"; then
    token=$(new_token "coinflux processor (write market, demo)" --write-bucket "$market" --write-bucket "$demo")
    (umask 077; printf '# Written by influxdb/scripts/tokens.sh: write-only token of the processors.\ninfluxdb:\n  token: "%s"\n' "$token" > "$processor_file")
    echo "tokens.sh: created the processors' write-only token"
fi
chown 10001:10001 "$processor_file"
chmod 0400 "$processor_file"

grafana_file="$SECRETS/grafana-influxdb-token"
current=$(cat "$grafana_file" 2>/dev/null || true)
if ! token_known "$current"; then
    token=$(new_token "grafana (read market, demo)" --read-bucket "$market" --read-bucket "$demo" --read-dbrps)
    (umask 077; printf '%s' "$token" > "$grafana_file")
    echo "tokens.sh: created Grafana's read-only token"
fi
chown 472:0 "$grafana_file"
chmod 0400 "$grafana_file"
echo "tokens.sh: done"
