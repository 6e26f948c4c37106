#!/bin/bash
# One-shot, before InfluxDB and Grafana start (compose service `secrets-init`, as root): creates
# the stack's admin passwords in the `secrets` volume (mounted at $SECRETS) unless they exist,
# each readable only by the user of the service that reads it:
#   influxdb-admin-password   InfluxDB `admin` (DOCKER_INFLUXDB_INIT_PASSWORD_FILE; read as root)
#   grafana-admin-password    Grafana `admin` (GF_SECURITY_ADMIN_PASSWORD__FILE; Grafana's uid 472)
# No password is ever a default: each is 32 random characters. Show them with
#   docker compose run --rm secrets-init show
# They are only read when InfluxDB's and Grafana's volumes are first created.
set -euo pipefail
SECRETS=${SECRETS:-/run/coinflux-secrets}

make_secret() { # name owner
    local file="$SECRETS/$1"
    if [ ! -s "$file" ]; then
        (umask 077; head -c 24 /dev/urandom | base64 | tr -d '\n/+=' > "$file")
        echo "secrets.sh: generated $1"
    fi
    chown "$2" "$file"
    chmod 0400 "$file"
}

case "${1:-create}" in
    create)
        mkdir -p "$SECRETS"
        chmod 0711 "$SECRETS"
        make_secret influxdb-admin-password 0:0
        make_secret grafana-admin-password 472:0
        ;;
    show)
        for name in influxdb-admin-password grafana-admin-password; do
            printf '%-26s %s\n' "$name" "$(cat "$SECRETS/$name" 2>/dev/null || echo '(not created yet)')"
        done
        ;;
    *)
        echo "usage: secrets.sh [create|show]" >&2
        exit 2
        ;;
esac
