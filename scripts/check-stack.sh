#!/usr/bin/env bash
# Offline checks of the deployment/observability stack (no Docker engine, no network):
#   - Prometheus: config, rule syntax, rule unit tests        (promtool)
#   - Alertmanager: config and message templates              (amtool)
#   - compose.yml (+ compose.demo.yml), every profile combination (docker-compose 1.29 config)
#   - deploy/kubernetes overlays                              (kubectl kustomize, kubernetes-validate)
#   - Grafana provisioning and dashboards, metric names and coverage against
#     Sources/Telemetry/MetricCatalogue.swift                 (scripts/stack-checks.py)
#   - InfluxDB init scripts are executable and parse          (bash -n)
# Runs every check, prints each one's outcome, and exits 1 if any failed.
# Usage: scripts/check-stack.sh        (from any directory; tools: scripts/install-deps.sh)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

failed=()

# run NAME COMMAND...: runs one check, shows its output only when it fails.
run() {
    local name=$1; shift
    local output
    if output=$("$@" 2>&1); then
        echo "ok    $name"
    else
        echo "FAIL  $name"
        echo "$output" | sed 's/^/      /'
        failed+=("$name")
    fi
}

need() {
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "FAIL  $tool is not installed (scripts/install-deps.sh installs it)"
            failed+=("$tool missing")
        fi
    done
}
need promtool amtool docker-compose python3 kubectl kubernetes-validate

run "promtool check config prometheus/prometheus.yml" \
    promtool check config prometheus/prometheus.yml
run "promtool check rules prometheus/rules/*.rules.yml" \
    promtool check rules prometheus/rules/*.rules.yml
run "promtool test rules prometheus/tests/*.test.yml" \
    promtool test rules prometheus/tests/*.test.yml
run "amtool check-config alertmanager/alertmanager.yml (with templates)" \
    amtool check-config alertmanager/alertmanager.yml

# Each severity reaches its receiver (amtool config routes test exits 1 on a mismatch).
check_routes() {
    local status=0 pair
    for pair in critical:pager warning:operators info:market none:default; do
        amtool config routes test --config.file=alertmanager/alertmanager.yml \
            --verify.receivers="${pair#*:}" alertname=Example exchange=binance severity="${pair%%:*}" \
            2>/dev/null >/dev/null || { echo "severity=${pair%%:*} does not route to ${pair#*:}"; status=1; }
    done
    amtool config routes test --config.file=alertmanager/alertmanager.yml --verify.receivers=watchdog \
        alertname=Watchdog severity=none 2>/dev/null >/dev/null || { echo "Watchdog does not route to watchdog"; status=1; }
    return $status
}
run "alertmanager routes: Watchdog→watchdog, critical→pager, warning→operators, info→market" check_routes

check_scripts() {
    local status=0
    for script in influxdb/scripts/*.sh; do
        [ -x "$script" ] || { echo "$script: not executable (chmod +x)"; status=1; }
        bash -n "$script" || status=1
    done
    return $status
}
run "influxdb/scripts executable and parse" check_scripts

# The Python checks (scripts/stackcheck, one package; scripts/stack-checks.py CHECK runs one).
checks=scripts/stack-checks.py
run "stack checks' own unit tests (selftest)" python3 $checks selftest
run "python entry scripts and alertmanager/webhook-sink.py compile" \
    python3 -m py_compile scripts/stack-test.py scripts/dashboard-queries.py scripts/stack-checks.py alertmanager/webhook-sink.py
run "every alert has severity, summary, description, runbook" python3 $checks rule-annotations
run "grafana provisioning and dashboards (no or vector(0), processes by host)" python3 $checks grafana
run "metric names exist in MetricCatalogue.swift" python3 $checks metric-names
run "every catalogue metric on a panel or listed in grafana/metrics-not-on-dashboards.yml" python3 $checks metric-coverage
run "compose: config -q for every file/profile combination, one collector kind per topic and bucket" \
    python3 $checks compose
run "kubernetes: PrometheusRule = prometheus/rules, overlays render and validate" python3 $checks kubernetes
run "docs: links, anchors and the README's commands" python3 scripts/check-docs.py

echo
if [ ${#failed[@]} -gt 0 ]; then
    echo "check-stack: ${#failed[@]} check(s) failed:"
    printf '  - %s\n' "${failed[@]}"
    exit 1
fi
echo "check-stack: all checks passed"
