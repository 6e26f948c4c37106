"""Grafana dashboards: static checks of the provisioning and dashboard JSON, and a runner that
sends every panel's query to real servers after the substitutions Grafana makes.

Substitutions (Grafana itself does not install on the development machines):

  InfluxQL  $timeFilter -> time > now() - 1h (or the panel's "timeFrom")   $__interval -> 10s
  PromQL    $__rate_interval -> 1m   $__interval -> 15s   $__range -> 1h
  $var, ${var}, [[var]]  the variable's value; inside a regex (=~ /^$var$/ in InfluxQL,
                         =~"$var" in PromQL) a multi-value or "All" variable becomes (a|b|c),
                         regex-escaped, as Grafana does.

Template variables take the value given by the caller; otherwise the variable's own query runs
(after substituting the variables before it) and, like Grafana, its saved current value is used
if the query returns it, "All" means every value, else the first. A variable regex with named
groups `text`/`value` maps each result as Grafana does. A panel's minimum interval raises
$__interval; a repeated panel is checked once per value of its variable.

"No data" is what Grafana would draw nothing for: an InfluxQL answer without rows or with a
selected column null in every row; a PromQL answer without samples or with every value NaN.
Queries of events that a healthy run may not have had (EVENT_QUERY: the gap ledger, incomplete
candles) and annotations must run, but may find nothing.
"""

import glob
import json
import os
import re

import yaml

from . import repo_path
from .httpclient import QueryError

DASHBOARDS = sorted(glob.glob(repo_path("grafana", "dashboards", "*.json")))
PROVISIONING = repo_path("grafana", "provisioning")

# Grafana's built-in variables, per data source type.
BUILTINS = {
    "influxdb": {"timeFilter": "time > now() - 1h", "__interval": "10s", "__interval_ms": "10000"},
    "prometheus": {"__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000",
                   "__range": "1h", "__range_s": "3600", "__range_ms": "3600000"},
}
FALLBACK = re.compile(r"\bor\s+(?:on\s*\(\s*\)\s*)?vector\s*\(")
# InfluxQL queries of events: the gap ledger and incomplete candles exist only after a gap.
EVENT_QUERY = re.compile(r'FROM\s+"gap"|"complete"\s*=\s*false')


def load(path):
    with open(path) as source:
        return json.load(source)


def walk_panels(items):
    for panel in items:
        yield panel
        yield from walk_panels(panel.get("panels", []))


def targets(board):
    """(panel, target) of every query of the dashboard, rows aside."""
    for panel in walk_panels(board.get("panels", [])):
        if panel.get("type") != "row":
            for target in panel.get("targets", []):
                yield panel, target


def target_text(target):
    return target.get("expr") or target.get("query") or ""


def source_type(reference):
    if isinstance(reference, dict):
        return reference.get("type") or reference.get("uid")
    return reference


# ── Substitution ──────────────────────────────────────────────────────────────────────────────

def regex_escape(value):
    # The characters Grafana escapes for regexes.
    return re.sub(r"([\\^$*+?.()|{}\[\]/])", r"\\\1", value)


def interpolate(text, variables, builtins):
    """Replaces Grafana variables in a query. `variables` maps name -> list of values."""
    def regex_values(name, escape):
        values = [escape(v) for v in variables[name]]
        return values[0] if len(values) == 1 else "(" + "|".join(values) + ")"

    def influx_regex(match):
        name = match.group(1) or match.group(2)
        return f"/^{regex_values(name, regex_escape)}$/" if name in variables else match.group(0)

    def prom_regex(match):
        # Inside a PromQL string the regex backslash is itself escaped (Grafana writes `\\.`).
        name = match.group(2) or match.group(3)
        escape = lambda value: regex_escape(value).replace("\\", "\\\\")
        return f'{match.group(1)}"{regex_values(name, escape)}"' if name in variables else match.group(0)

    text = re.sub(r"/\^\$(?:\{(\w+)\}|(\w+))\$/", influx_regex, text)
    text = re.sub(r'(=~\s*)"\$(?:\{(\w+)\}|(\w+))"', prom_regex, text)

    def plain(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in builtins:
            return builtins[name]
        if name in variables:
            return ",".join(variables[name])
        return match.group(0)

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", plain, text)


def seconds_of(duration):
    """Seconds in a Grafana duration such as "1m", "30s", ">1m" (None if it is not one)."""
    match = re.fullmatch(r"\s*>?\s*(\d+)\s*(ms|s|m|h|d)\s*", str(duration or ""))
    if not match:
        return None
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def duration_text(seconds):
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{int(seconds * 1000)}ms"


def panel_builtins(panel, source):
    """The built-ins for a panel: its minimum interval raises $__interval (and $__rate_interval
    follows, for a 15 s scrape interval); its relative time ("timeFrom") sets $timeFilter."""
    builtins = dict(BUILTINS.get(source, {}))
    least, current = seconds_of(panel.get("interval")), seconds_of(builtins.get("__interval"))
    if least is not None and current is not None and least > current:
        builtins.update(__interval=duration_text(least), __interval_ms=str(int(least * 1000)))
        if source == "prometheus":
            builtins["__rate_interval"] = duration_text(max(least + 15, 60))
    window = seconds_of(panel.get("timeFrom"))
    if window and source == "influxdb":
        builtins["timeFilter"] = f"time > now() - {duration_text(window)}"
    return builtins


def apply_variable_regex(pattern, found):
    """Grafana's variable regex: filter, and map to (text, value) by named groups text/value."""
    if not pattern:
        return [(v, v) for v in found]
    compiled = re.compile(pattern.strip("/").replace("(?<", "(?P<"))
    mapped = []
    for item in found:
        match = compiled.search(item)
        if not match:
            continue
        groups = match.groupdict()
        value = groups.get("value") or (match.group(1) if match.groups() and not groups else None) or item
        mapped.append((groups.get("text") or value, value))
    return list(dict.fromkeys(mapped))


# ── Running the queries ───────────────────────────────────────────────────────────────────────

class Runner:
    """Runs every query of dashboards against `clients` (data source type -> client; a missing one
    is skipped). `given` presets variables (name -> list of values). `pending` maps metric names
    that are not exported yet to why: a query using one is reported, not failed."""

    def __init__(self, clients, given=None, pending=None, out=print):
        self.clients = clients
        self.given = given or {}
        self.pending = pending or {}
        self.out = out
        self.failures = []              # (dashboard, panel title, reason)
        self.skipped = set()

    def resolve_variables(self, board):
        values = {}
        for variable in board.get("templating", {}).get("list", []):
            name = variable["name"]
            if name in self.given:
                values[name] = self.given[name]
                continue
            kind = variable.get("type")
            if kind in ("custom", "constant", "textbox"):
                options = [v.strip() for v in str(variable.get("query", "")).split(",") if v.strip()]
                values[name] = options[:1] if options else [""]
                continue
            if kind != "query":
                continue
            source = source_type(variable.get("datasource"))
            client = self.clients.get(source)
            if client is None:
                self.skipped.add(source)
                continue
            query = variable.get("query")
            if isinstance(query, dict):
                query = query.get("query", "")
            query = interpolate(query, values, BUILTINS.get(source, {}))
            try:
                found = apply_variable_regex(variable.get("regex"), client.variable_values(query))
            except QueryError as error:
                self.failures.append((board.get("title"), f"variable ${name}", f"query failed: {error}"))
                continue
            if not found:
                self.failures.append((board.get("title"), f"variable ${name}", f"no values from: {query}"))
                continue
            current = variable.get("current", {}).get("value")
            current = current if isinstance(current, list) else [current] if current else []
            all_values = [value for _, value in found]
            if variable.get("includeAll") and "$__all" in current:
                values[name] = all_values
            elif current and all(v in all_values for v in current):
                values[name] = current
            else:
                values[name] = all_values[:1]
            self.out(f"        ${name} = {', '.join(text for text, value in found if value in values[name])}")
        return values

    def check(self, path):
        board = load(path)
        title = board.get("title", os.path.basename(path))
        self.out(f"{title} ({os.path.relpath(path)})")
        variables = self.resolve_variables(board)
        for annotation in board.get("annotations", {}).get("list", []):
            if target_text(annotation):
                self.report(title, f"annotation {annotation.get('name')}", self.run_annotation(annotation, variables))
        for panel in walk_panels(board.get("panels", [])):
            if panel.get("type") == "row":
                continue
            repeat = panel.get("repeat")
            if repeat and repeat in variables:
                instances = [(f"{panel.get('title')} [{repeat}={value}]", {**variables, repeat: [value]})
                             for value in variables[repeat]]
            else:
                instances = [(panel.get("title"), variables)]
            for name, values in instances:
                self.report(title, name, self.check_panel(panel, values))

    def report(self, dashboard, name, outcome):
        if outcome is None:
            return
        problems, notes = outcome
        self.out(f"  {'ok    ' if not problems else 'FAIL  '}{name}")
        for note in notes:
            self.out(f"          note: {note}")
        for reason in problems:
            self.out(f"          {reason}")
            self.failures.append((dashboard, name, reason))

    def run_annotation(self, annotation, variables):
        """An annotation query may find nothing (no alert firing), but must run."""
        source = source_type(annotation.get("datasource"))
        client = self.clients.get(source)
        if client is None:
            self.skipped.add(source)
            return None
        query = interpolate(target_text(annotation), variables, BUILTINS.get(source, {}))
        try:
            client.query(query)
        except QueryError as error:
            return [f"error: {error} — query: {query}"], []
        return [], []

    def pending_reason(self, text):
        """Why a query cannot have data here: it uses a metric (or metric name prefix) in `pending`."""
        for name, why in self.pending.items():
            if re.search(r"\b%s" % re.escape(name), text):
                return f"{name}: {why}"
        return None

    def check_panel(self, panel, variables):
        """(problems, notes) of the panel, or None when its data source is skipped."""
        problems, notes = [], []
        ran = False
        for target in panel.get("targets", []):
            if target.get("hide"):
                continue
            source = source_type(target.get("datasource") or panel.get("datasource"))
            client = self.clients.get(source)
            if client is None:
                self.skipped.add(source)
                continue
            query = interpolate(target_text(target), variables, panel_builtins(panel, source))
            ran = True
            pending = self.pending_reason(query)
            if pending:
                notes.append(f"{target.get('refId')}: not checked: {pending}")
                continue
            try:
                if EVENT_QUERY.search(query):
                    client.query(query)
                    missing = None
                else:
                    missing = client.missing_data(query)
            except QueryError as error:
                problems.append(f"{target.get('refId')}: error: {error} — query: {query}")
                continue
            if missing:
                problems.append(f"{target.get('refId')}: {missing} — query: {query}")
        return (problems, notes) if ran else None


# ── Static checks ─────────────────────────────────────────────────────────────────────────────

def static_problems():
    """Problems of the provisioning files and dashboards, as strings (empty: fine)."""
    problems = []
    with open(os.path.join(PROVISIONING, "datasources", "datasources.yml")) as source:
        sources = yaml.safe_load(source)["datasources"]
    uids = {s["uid"]: s["type"] for s in sources}
    for want in ("influxdb", "prometheus"):
        if want not in uids:
            problems.append(f"datasources.yml: no data source with uid {want!r}")
    with open(os.path.join(PROVISIONING, "dashboards", "dashboards.yml")) as source:
        providers = yaml.safe_load(source)["providers"]
    if not providers or not providers[0].get("options", {}).get("path"):
        problems.append("dashboards.yml: no file provider with options.path")

    def check_ref(where, ref):
        if not isinstance(ref, dict) or ref.get("uid") not in uids:
            problems.append(f"{where}: data source {ref!r} is not a provisioned uid {sorted(uids)}")
            return None
        if ref.get("type") != uids[ref["uid"]]:
            problems.append(f"{where}: data source type {ref.get('type')!r} does not match uid {ref['uid']!r}")
        return ref["uid"]

    seen_uids = set()
    for path in DASHBOARDS:
        name = os.path.relpath(path)
        try:
            board = load(path)
        except ValueError as error:
            problems.append(f"{name}: not JSON: {error}")
            continue
        for key in ("uid", "title", "schemaVersion", "panels"):
            if key not in board:
                problems.append(f"{name}: no {key!r}")
        if board.get("uid") in seen_uids:
            problems.append(f"{name}: uid {board.get('uid')!r} used twice")
        seen_uids.add(board.get("uid"))
        variables = {v["name"] for v in board.get("templating", {}).get("list", [])}
        for variable in board.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                check_ref(f"{name}: variable {variable['name']}", variable.get("datasource"))
        alerts = [a for a in board.get("annotations", {}).get("list", []) if "ALERTS" in (a.get("expr") or "")]
        if not alerts:
            problems.append(f"{name}: no annotation showing alerts (a Prometheus annotation on ALERTS)")
        for annotation in alerts:
            check_ref(f"{name}: annotation {annotation.get('name')}", annotation.get("datasource"))
        ids = set()
        for panel in walk_panels(board.get("panels", [])):
            if panel.get("type") == "row":
                continue
            title = panel.get("title") or ""
            where = f"{name}: panel {panel.get('id')} {title!r}"
            if not title.strip():
                problems.append(f"{where}: no title")
            if panel.get("id") in ids:
                problems.append(f"{where}: id used twice")
            ids.add(panel.get("id"))
            uid = check_ref(where, panel.get("datasource"))
            if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
                problems.append(f"{where}: no unit (fieldConfig.defaults.unit)")
            if not panel.get("targets"):
                problems.append(f"{where}: no targets")
            for target in panel.get("targets") or []:
                problems += target_problems(f"{where} target {target.get('refId')}", target, uid,
                                            check_ref(f"{where} target {target.get('refId')}", target.get("datasource")),
                                            variables)
    return problems


def target_problems(where, target, panel_uid, uid, variables):
    problems = []
    if uid != panel_uid:
        problems.append(f"{where}: data source differs from the panel's")
    if uid == "influxdb":
        query = target.get("query", "")
        if not target.get("rawQuery") or not query.strip():
            problems.append(f"{where}: InfluxQL target needs rawQuery: true and a query")
        if "$timeFilter" not in query:
            problems.append(f"{where}: InfluxQL query without $timeFilter")
        if re.search(r"GROUP BY time\((?!\$__interval\))", query):
            problems.append(f"{where}: GROUP BY time() should use $__interval")
        for name in re.findall(r"=\s*'\$\{?(\w+)", query):
            problems.append(f"{where}: ${name} compared with = '...'; use =~ /^${name}$/")
    elif uid == "prometheus":
        expr = target.get("expr", "")
        if not expr.strip():
            problems.append(f"{where}: Prometheus target without expr")
        if FALLBACK.search(expr):
            problems.append(f"{where}: `or vector(…)` hides a missing series; let the panel show no data "
                            "(fieldConfig noValue) and have the live test produce the series")
        if "{{instance}}" in target.get("legendFormat", ""):
            problems.append(f"{where}: legend shows the scrape address; name the process by {{{{host}}}} "
                            "(join coinflux_build_info)")
    for name in re.findall(r"\$\{?(\w+)", target_text(target)):
        if not name.startswith("__") and name not in ("timeFilter", "col") and name not in variables \
                and not name.startswith("tag_"):
            problems.append(f"{where}: unknown variable ${name}")
    return problems
