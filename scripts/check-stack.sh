#!/usr/bin/env bash
# Offline checks of the deployment/observability stack (no Docker engine, no network):
#   - Prometheus: config, rule syntax, rule unit tests        (promtool)
#   - Alertmanager: config and message templates              (amtool)
#   - compose.yml, with and without the demo profile          (docker-compose 1.29 config -q)
#   - Grafana: provisioning files and dashboard JSON sanity   (python3)
#   - metric names in rules and dashboards exist in Sources/Telemetry/MetricCatalogue.swift
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
need promtool amtool docker-compose python3

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
    return $status
}
run "alertmanager routes: critical→pager, warning→operators, info→market" check_routes

run "docker-compose -f compose.yml config -q" \
    docker-compose -f compose.yml config -q
run "docker-compose -f compose.yml --profile demo config -q" \
    docker-compose -f compose.yml --profile demo config -q

check_init_scripts() {
    local status=0
    for script in influxdb/init/*; do
        # The InfluxDB entrypoint only runs executable *.sh files.
        case $script in *sh) ;; *) echo "$script: name must end in sh"; status=1 ;; esac
        [ -x "$script" ] || { echo "$script: not executable (chmod +x)"; status=1; }
        bash -n "$script" || status=1
    done
    return $status
}
run "influxdb/init scripts executable and parse" check_init_scripts

run "python helpers compile" \
    python3 -c 'import sys; [compile(open(f).read(), f, "exec") for f in sys.argv[1:]]' \
    scripts/dashboard-queries.py scripts/stack-test.py alertmanager/webhook-sink.py

# Grafana: provisioning and dashboards. Every panel (rows aside) must have a title, a data
# source that is provisioned, targets with a query, and a unit; InfluxQL must be time-bounded
# and use variables in regex form.
check_grafana() {
    python3 - <<'PY'
import glob, json, re, sys
import yaml

problems = []
sources = yaml.safe_load(open("grafana/provisioning/datasources/datasources.yml"))["datasources"]
uids = {s["uid"]: s["type"] for s in sources}
for want in ("influxdb", "prometheus"):
    if want not in uids:
        problems.append(f"datasources.yml: no data source with uid {want!r}")
providers = yaml.safe_load(open("grafana/provisioning/dashboards/dashboards.yml"))["providers"]
if not providers or not providers[0].get("options", {}).get("path"):
    problems.append("dashboards.yml: no file provider with options.path")

def check_ref(where, ref):
    if not isinstance(ref, dict) or ref.get("uid") not in uids:
        problems.append(f"{where}: data source {ref!r} is not a provisioned uid {sorted(uids)}")
        return None
    if ref.get("type") != uids[ref["uid"]]:
        problems.append(f"{where}: data source type {ref.get('type')!r} does not match uid {ref['uid']!r}")
    return ref["uid"]

def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))

seen_uids = set()
for path in sorted(glob.glob("grafana/dashboards/*.json")):
    try:
        board = json.load(open(path))
    except ValueError as error:
        problems.append(f"{path}: not JSON: {error}")
        continue
    for key in ("uid", "title", "schemaVersion", "panels"):
        if key not in board:
            problems.append(f"{path}: no {key!r}")
    if board.get("uid") in seen_uids:
        problems.append(f"{path}: uid {board.get('uid')!r} used twice")
    seen_uids.add(board.get("uid"))
    variables = {v["name"] for v in board.get("templating", {}).get("list", [])}
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            check_ref(f"{path}: variable {variable['name']}", variable.get("datasource"))
    ids = set()
    for panel in panels(board.get("panels", [])):
        if panel.get("type") == "row":
            continue
        title = panel.get("title") or ""
        where = f"{path}: panel {panel.get('id')} {title!r}"
        if not title.strip():
            problems.append(f"{where}: no title")
        if panel.get("id") in ids:
            problems.append(f"{where}: id used twice")
        ids.add(panel.get("id"))
        uid = check_ref(where, panel.get("datasource"))
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if not unit:
            problems.append(f"{where}: no unit (fieldConfig.defaults.unit)")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{where}: no targets")
        for target in targets:
            twhere = f"{where} target {target.get('refId')}"
            if check_ref(twhere, target.get("datasource")) != uid:
                problems.append(f"{twhere}: data source differs from the panel's")
            if uid == "influxdb":
                query = target.get("query", "")
                if not target.get("rawQuery") or not query.strip():
                    problems.append(f"{twhere}: InfluxQL target needs rawQuery: true and a query")
                if "$timeFilter" not in query:
                    problems.append(f"{twhere}: InfluxQL query without $timeFilter")
                if re.search(r"GROUP BY time\((?!\$__interval\))", query):
                    problems.append(f"{twhere}: GROUP BY time() should use $__interval")
                for name in re.findall(r"=\s*'\$\{?(\w+)", query):
                    problems.append(f"{twhere}: ${name} compared with = '...'; use =~ /^${name}$/")
            elif uid == "prometheus" and not target.get("expr", "").strip():
                problems.append(f"{twhere}: Prometheus target without expr")
            text = target.get("query", "") + target.get("expr", "")
            for name in re.findall(r"\$\{?(\w+)", text):
                if not name.startswith("__") and name != "timeFilter" and name not in variables \
                        and not name.startswith("tag_") and name != "col":
                    problems.append(f"{twhere}: unknown variable ${name}")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
PY
}
run "grafana provisioning and dashboards" check_grafana

# Metric names are a public contract: every coinflux_* name used by the rules or dashboards
# must be in the catalogue (histograms may add _bucket/_sum/_count).
check_metric_names() {
    python3 - <<'PY'
import glob, json, re, sys
catalogue = open("Sources/Telemetry/MetricCatalogue.swift").read()
kinds = dict(re.findall(r'"(coinflux_[a-z0-9_]+)",\s*\.(\w+)', catalogue))
if not kinds:
    print("no metric definitions found in MetricCatalogue.swift"); sys.exit(1)
texts = {}
for path in glob.glob("prometheus/rules/*.yml"):
    texts[path] = open(path).read()
for path in glob.glob("grafana/dashboards/*.json"):
    board = json.load(open(path))
    def walk(items):
        for panel in items:
            for target in panel.get("targets", []):
                yield target.get("expr", "")
            yield from walk(panel.get("panels", []))
    texts[path] = "\n".join(walk(board.get("panels", [])))
unknown = []
for path, text in sorted(texts.items()):
    for name in sorted(set(re.findall(r"\bcoinflux_[a-z0-9_]+", text))):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if name in kinds or (base in kinds and kinds[base] == "histogram"):
            continue
        unknown.append(f"{path}: {name} is not in MetricCatalogue.swift")
print("\n".join(unknown))
sys.exit(1 if unknown else 0)
PY
}
run "metric names exist in MetricCatalogue.swift" check_metric_names
run "docs: links, anchors and the README's commands" python3 scripts/check-docs.py

echo
if [ ${#failed[@]} -gt 0 ]; then
    echo "check-stack: ${#failed[@]} check(s) failed:"
    printf '  - %s\n' "${failed[@]}"
    exit 1
fi
echo "check-stack: all checks passed"
