#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine of this kind:
# librdkafka (the Kafka client), kcat, InfluxDB 1.x, Prometheus, Alertmanager, docker-compose
# (offline compose checks) from Debian, the noida-db Kafka-protocol broker and kubernetes-validate
# (offline schema validation of deploy/kubernetes) from PyPI. kubectl (with kustomize) comes with
# the machine image; Debian's kubernetes-client is older and conflicts with kubernetes-validate.
# Does nothing for what is already there.
set -euo pipefail

need_apt=()
command -v pkg-config >/dev/null && pkg-config --exists rdkafka || need_apt+=(librdkafka-dev pkg-config)
command -v kcat >/dev/null || need_apt+=(kcat)
command -v influxd >/dev/null || need_apt+=(influxdb)
command -v prometheus >/dev/null || need_apt+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need_apt+=(prometheus-alertmanager)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
command -v curl >/dev/null || need_apt+=(curl)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "install-deps: apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v noida-db >/dev/null; then
    echo "install-deps: pip install noida-db"
    python3 -m pip install -q --root-user-action=ignore noida-db
    hash -r
fi

if ! command -v kubernetes-validate >/dev/null; then
    echo "install-deps: pip install kubernetes-validate"
    python3 -m pip install -q --root-user-action=ignore kubernetes-validate
    hash -r
fi
command -v kubectl >/dev/null || echo "install-deps: kubectl (1.32, with kustomize) is not on this machine: the Kubernetes checks will fail" >&2
