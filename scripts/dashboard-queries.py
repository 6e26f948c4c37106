#!/usr/bin/env python3
"""Runs every query of the Grafana dashboards against real servers, as Grafana would.

Grafana itself is not installable on the development machines, so this is how the dashboards
are tested: each InfluxQL target goes to an InfluxDB /query endpoint (1.x, or 2.x through its
v1 API with a DBRP mapping), each PromQL target to Prometheus /api/v1/query, after the same
substitutions Grafana makes:

  InfluxQL  $timeFilter -> time > now() - 1h      $__interval -> 10s
  PromQL    $__rate_interval -> 1m   $__interval -> 15s   $__range -> 1h
  $var, ${var}, [[var]]  the variable's value; inside a regex (=~ /^$var$/) a multi-value or
                         "All" variable becomes (a|b|c), regex-escaped, as Grafana does.

Template variables take the value given on the command line (--exchange, --symbol, or
--var NAME=VALUE; a comma-separated list for several values); otherwise the variable's own
query is run (after substituting the variables before it) and, like Grafana, its saved
current value is used if the query returns it, "All" means every value, else the first one.

A panel with a minimum interval ("interval": "1m") gets that as $__interval when it is longer,
as in Grafana. A repeated panel ("repeat": "var") is checked once per value of the variable,
with the variable set to that one value, because Grafana draws one panel per value; the panel
is then named "title [var=value]".

"No data" means what Grafana would draw nothing for: an InfluxQL answer without rows, or with
a selected column that is null in every row; a PromQL answer without samples, or whose samples
are all NaN (e.g. histogram_quantile over buckets that did not move). A PromQL query ending in
`or vector(0)` / `or on() vector(0)` always has data; when its left side alone has none, the
panel passes with a note saying that only the fallback answered.

It exits 1 and names every panel (dashboard title and panel title) whose query fails or
returns no data; 2 on bad usage. A data source whose URL is not given is skipped.

Examples:
  scripts/dashboard-queries.py --influx-url http://127.0.0.1:8086 --database market
  scripts/dashboard-queries.py --prometheus-url http://127.0.0.1:9090
  scripts/dashboard-queries.py --influx-url http://localhost:8086 --database market \\
      --influx-token "$INFLUX_TOKEN" --prometheus-url http://localhost:9090 --symbol BTC-KRW
"""

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DASHBOARDS = [os.path.join(REPO, "grafana", "dashboards", name) for name in ("market.json", "pipeline.json")]

# Grafana's built-in variables, per data source type.
BUILTINS = {
    "influxdb": {"timeFilter": "time > now() - 1h", "__interval": "10s", "__interval_ms": "10000"},
    "prometheus": {"__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000",
                   "__range": "1h", "__range_s": "3600", "__range_ms": "3600000"},
}


class QueryError(Exception):
    """A query that the server refused or could not answer."""


# ── Servers ───────────────────────────────────────────────────────────────────────────────

def http_get_json(url, headers=None, timeout=15):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace")
        try:
            detail = json.loads(body).get("error") or body
        except ValueError:
            detail = body
        raise QueryError(f"HTTP {error.code}: {detail.strip()[:300]}") from None
    except (urllib.error.URLError, OSError) as error:
        raise QueryError(f"cannot reach {url.split('?')[0]}: {error}") from None
    except ValueError as error:
        raise QueryError(f"answer is not JSON: {error}") from None


class Influx:
    def __init__(self, url, database, token):
        self.url = url.rstrip("/")
        self.database = database
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def query(self, text):
        """Returns the rows of every series (lists of column values); raises QueryError."""
        params = urllib.parse.urlencode({"db": self.database, "q": text, "epoch": "ms"})
        answer = http_get_json(f"{self.url}/query?{params}", self.headers)
        if answer.get("error"):
            raise QueryError(answer["error"])
        rows = []
        for result in answer.get("results", []):
            if result.get("error"):
                raise QueryError(result["error"])
            for series in result.get("series", []):
                rows.extend(series.get("values") or [])
        return rows

    def variable_values(self, text):
        # SHOW TAG VALUES answers (key, value) rows; other queries: the last column.
        return [str(row[-1]) for row in self.query(text) if row and row[-1] is not None]

    def missing_data(self, text):
        """Why Grafana would draw nothing for this query (None: it has data); raises QueryError."""
        params = urllib.parse.urlencode({"db": self.database, "q": text, "epoch": "ms"})
        answer = http_get_json(f"{self.url}/query?{params}", self.headers)
        if answer.get("error"):
            raise QueryError(answer["error"])
        columns = {}        # column name -> whether any row has a value in it
        rows = 0
        for result in answer.get("results", []):
            if result.get("error"):
                raise QueryError(result["error"])
            for series in result.get("series", []):
                names = series.get("columns") or []
                for row in series.get("values") or []:
                    rows += 1
                    for name, value in zip(names, row):
                        if name != "time":
                            columns[name] = columns.get(name, False) or value is not None
        if not rows:
            return "no data"
        empty = [name for name, seen in columns.items() if not seen]
        if empty:
            return f"no data in column(s) {', '.join(empty)} ({rows} rows, all null there)"
        return None


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def _get(self, path, params):
        answer = http_get_json(f"{self.url}{path}?{urllib.parse.urlencode(params, doseq=True)}")
        if answer.get("status") != "success":
            raise QueryError(answer.get("error") or f"status {answer.get('status')}")
        return answer["data"]

    def query(self, text):
        """Returns the result list of an instant query; raises QueryError."""
        data = self._get("/api/v1/query", {"query": text})
        result = data.get("result")
        if data.get("resultType") in ("scalar", "string"):
            return [result]
        return result or []

    def variable_values(self, text):
        # Grafana's label_values(label) / label_values(selector, label); anything else is
        # run as a query and its series' values are used.
        match = re.fullmatch(r"\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*", text)
        if match:
            selector, label = match.groups()
            params = {"match[]": selector} if selector else {}
            return sorted(self._get(f"/api/v1/label/{label}/values", params))
        return [sample["value"][1] for sample in self.query(text)]

    def missing_data(self, text):
        """Why Grafana would draw nothing for this query (None: it has data); raises QueryError."""
        samples = self.query(text)
        if not samples:
            return "no data"
        values = []
        for sample in samples:
            if isinstance(sample, dict):
                pairs = [sample["value"]] if "value" in sample else sample.get("values", [])
            else:
                pairs = [sample]        # scalar or string: [time, value]
            values += [pair[1] for pair in pairs]
        if all(str(value).lower() in ("nan", "+nan", "-nan") for value in values):
            return f"no data: {len(samples)} series, every value NaN"
        return None


# ── Substitution ──────────────────────────────────────────────────────────────────────────

def regex_escape(value):
    # The characters Grafana escapes for InfluxQL regexes.
    return re.sub(r"([\\^$*+?.()|{}\[\]/])", r"\\\1", value)


def interpolate(text, variables, builtins):
    """Replaces Grafana variables in a query. `variables` maps name -> list of values."""
    def regex_form(match):
        name = match.group(1) or match.group(2)
        if name not in variables:
            return match.group(0)
        values = [regex_escape(v) for v in variables[name]]
        inner = values[0] if len(values) == 1 else "(" + "|".join(values) + ")"
        return f"/^{inner}$/"

    text = re.sub(r"/\^\$(?:\{(\w+)\}|(\w+))\$/", regex_form, text)

    def plain(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in builtins:
            return builtins[name]
        if name in variables:
            return ",".join(variables[name])
        return match.group(0)

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", plain, text)


def source_type(reference):
    if isinstance(reference, dict):
        return reference.get("type") or reference.get("uid")
    return reference


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


def with_min_interval(builtins, minimum, source):
    """The built-ins for a panel whose minimum interval is `minimum`: Grafana's $__interval is
    never shorter than it (and $__rate_interval follows, for a 15 s scrape interval)."""
    least = seconds_of(minimum)
    current = seconds_of(builtins.get("__interval"))
    if least is None or current is None or least <= current:
        return builtins
    adjusted = dict(builtins, __interval=duration_text(least), __interval_ms=str(int(least * 1000)))
    if source == "prometheus":
        adjusted["__rate_interval"] = duration_text(max(least + 15, 60))
    return adjusted


# ── Dashboards ────────────────────────────────────────────────────────────────────────────

def walk_panels(items):
    for panel in items:
        yield panel
        yield from walk_panels(panel.get("panels", []))


class Checker:
    def __init__(self, clients, given):
        self.clients = clients          # data source type -> client (or missing: skipped)
        self.given = given              # variable name -> list of values from the command line
        self.failures = []              # (dashboard, panel title, reason)
        self.skipped = set()
        self.notes = []                 # remarks on the panel being checked (not failures)

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
                found = client.variable_values(query)
            except QueryError as error:
                self.failures.append((board.get("title"), f"variable ${name}", f"query failed: {error}"))
                continue
            if variable.get("regex"):
                pattern = re.compile(variable["regex"].strip("/"))
                found = [v for v in found if pattern.search(v)]
            if not found:
                self.failures.append((board.get("title"), f"variable ${name}", f"no values from: {query}"))
                continue
            current = variable.get("current", {}).get("value")
            current = current if isinstance(current, list) else [current] if current else []
            if variable.get("includeAll") and "$__all" in current:
                values[name] = found
            elif current and all(v in found for v in current):
                values[name] = current
            else:
                values[name] = found[:1]
            print(f"        ${name} = {', '.join(values[name])}")
        return values

    def check(self, path):
        board = json.load(open(path))
        title = board.get("title", os.path.basename(path))
        print(f"{title} ({os.path.relpath(path)})")
        variables = self.resolve_variables(board)
        for panel in walk_panels(board.get("panels", [])):
            if panel.get("type") == "row":
                continue
            # A repeated panel is drawn once per value of its variable (every value for "All").
            repeat = panel.get("repeat")
            if repeat and repeat in variables:
                instances = [(f"{panel.get('title')} [{repeat}={value}]", {**variables, repeat: [value]})
                             for value in variables[repeat]]
            else:
                instances = [(panel.get("title"), variables)]
            for name, values in instances:
                self.notes = []
                outcome = self.check_panel(panel, values)
                if outcome is None:
                    continue
                label = "ok    " if not outcome else "FAIL  "
                print(f"  {label}{name}")
                for note in self.notes:
                    print(f"          note: {note}")
                for reason in outcome:
                    print(f"          {reason}")
                    self.failures.append((title, name, reason))

    def check_panel(self, panel, variables):
        """Returns the panel's problems (empty: fine), or None when its data source is skipped."""
        problems = []
        ran = False
        for target in panel.get("targets", []):
            if target.get("hide"):
                continue
            source = source_type(target.get("datasource") or panel.get("datasource"))
            client = self.clients.get(source)
            if client is None:
                self.skipped.add(source)
                continue
            text = target.get("query") if source == "influxdb" else target.get("expr")
            builtins = with_min_interval(BUILTINS.get(source, {}), panel.get("interval"), source)
            query = interpolate(text or "", variables, builtins)
            ran = True
            try:
                missing = client.missing_data(query)
            except QueryError as error:
                problems.append(f"{target.get('refId')}: error: {error} — query: {query}")
                continue
            if missing:
                problems.append(f"{target.get('refId')}: {missing} — query: {query}")
                continue
            fallback = re.fullmatch(r"(?s)(.+?)\s+or\s+(?:on\s*\(\s*\)\s*)?vector\(\s*0\s*\)\s*", query)
            if source == "prometheus" and fallback:
                try:
                    if client.missing_data(fallback.group(1)):
                        self.notes.append(f"{target.get('refId')}: only the `or vector(0)` fallback answered "
                                          f"(no series for: {fallback.group(1).strip()})")
                except QueryError:
                    pass
        return problems if ran else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("dashboards", nargs="*", default=DEFAULT_DASHBOARDS,
                        help="dashboard JSON files (default: grafana/dashboards/market.json, pipeline.json)")
    parser.add_argument("--influx-url", help="InfluxDB base URL, e.g. http://127.0.0.1:8086")
    parser.add_argument("--database", default="market", help="InfluxQL database (default: market)")
    parser.add_argument("--influx-token", default=os.environ.get("INFLUX_TOKEN"),
                        help="InfluxDB 2 API token (default: $INFLUX_TOKEN; not needed for 1.x)")
    parser.add_argument("--prometheus-url", help="Prometheus base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument("--exchange", help="value(s) of $exchange, comma-separated")
    parser.add_argument("--symbol", help="value(s) of $symbol, comma-separated")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="value(s) of any variable, comma-separated (repeatable)")
    args = parser.parse_args()

    clients = {}
    if args.influx_url:
        clients["influxdb"] = Influx(args.influx_url, args.database, args.influx_token)
    if args.prometheus_url:
        clients["prometheus"] = Prometheus(args.prometheus_url)
    if not clients:
        parser.error("give --influx-url and/or --prometheus-url")

    given = {}
    for assignment in args.var:
        name, equals, value = assignment.partition("=")
        if not equals or not name:
            parser.error(f"--var expects NAME=VALUE, got {assignment!r}")
        given[name] = value.split(",")
    for name in ("exchange", "symbol"):
        if getattr(args, name):
            given[name] = getattr(args, name).split(",")

    checker = Checker(clients, given)
    for path in args.dashboards:
        try:
            checker.check(path)
        except (OSError, ValueError) as error:
            print(f"{path}: cannot read: {error}", file=sys.stderr)
            return 2

    if checker.skipped:
        print(f"\nskipped (no URL given): {', '.join(sorted(s for s in checker.skipped if s))}")
    if checker.failures:
        # One line per panel (or variable), in dashboard order.
        names = list(dict.fromkeys((dashboard, title) for dashboard, title, _ in checker.failures))
        print(f"\n{len(names)} panel(s) or variable(s) whose query fails or returns no data:")
        for dashboard, title in names:
            print(f"  - {dashboard}: {title}")
        return 1
    print("\nevery query answered with data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
