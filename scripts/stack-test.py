#!/usr/bin/env python3
"""Live test of the observability stack against real processes on loopback.

Run it under scripts/with-services.sh, which provides a Kafka-protocol broker and InfluxDB 1.x:

    scripts/with-services.sh python3 scripts/stack-test.py --coinflux .build/debug/coinflux

It starts, on free 127.0.0.1 ports and in a temporary directory: the exchange simulator
(`coinflux simulate`), `coinflux collect` and `coinflux process` fed by it, a real Prometheus
(/usr/bin/prometheus) scraping both, and a real Alertmanager (/usr/bin/prometheus-alertmanager)
whose webhooks point at a receiver inside this script. Then it checks:

  static      scripts/check-stack.sh (promtool/amtool/compose/dashboard checks; --skip-static)
  metrics     `curl /metrics | promtool check metrics` prints nothing, for `coinflux collect`,
              `coinflux process`, and `coinflux run` both with Kafka + InfluxDB and with its
              in-process queue + points file (each after it has produced points)
  dashboards  scripts/dashboard-queries.py: every InfluxQL panel against the InfluxDB the
              pipeline wrote to, every PromQL panel against the Prometheus that scraped it; after
              waiting for a closed 1-minute candle of every (exchange, symbol) that trades.
              Three passes: the dashboards' saved variable values (what Grafana shows first),
              then the market dashboard for the USDT venues with BTC-USDT and for the KRW venues
              with BTC-KRW (so every exchange's repeated candle panel has a symbol it lists)
  alerts      Prometheus loads a copy of prometheus/rules/*.rules.yml in which ONLY the
              ExchangeFeedStale threshold and `for` are shortened (> 5, for: 10s, substituted in
              the real file's text), scrapes every 2 s and evaluates every 1 s; Alertmanager runs
              alertmanager/alertmanager.yml with only the webhook URLs changed.
                - quiet: while everything is healthy, for at least as long as the stale alert is
                  given to fire, no coinflux-pipeline alert fires (Prometheus and Alertmanager)
                  and no pipeline notification is sent. Market alerts (severity info) on the
                  simulated prices may legitimately fire and are only listed.
                - fire: the simulator silences one exchange (POST /admin/<exchange>/silence);
                  ExchangeFeedStale for that exchange, and no other, must be active in
                  Alertmanager's API within threshold + for + two scrape intervals + one
                  evaluation interval + slack after the feed's last message, and not before
                  threshold + for; the `pager` webhook receives it.
                - resolve: the silence is lifted; the alert must leave Prometheus and
                  Alertmanager within two scrape intervals + evaluation + slack, and the `pager`
                  webhook receives the resolved notification (Alertmanager's group_interval).

The collector runs with collector.silence_timeout=5m (longer than the silence, so the silent
socket is not replaced) and collector.rest_fallback_after=1h (REST polls would refresh the
last-message gauge).

Prints PASS/FAIL per check and a summary; exit status 0 only if every check passed, 1 otherwise,
2 on bad usage. Everything it starts is stopped on exit, whatever happens. The temporary
directory (logs, configs, metric dumps) is removed on success and kept on failure.
"""

import argparse
import difflib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMETHEUS = "/usr/bin/prometheus"
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"

# Simulator paths per exchange (coinflux simulate prints the same).
EXCHANGE_PATHS = {
    "binance": "binance/ws",
    "upbit": "upbit/websocket/v1",
    "bybit": "bybit/v5/public/spot",
    "bithumb": "bithumb/websocket/v1",
    "coinone": "coinone/",
}

# Test timing. The rule copy gets STALE_THRESHOLD / STALE_FOR; Prometheus scrapes every
# SCRAPE_INTERVAL and evaluates every EVALUATION_INTERVAL (seconds).
SCRAPE_INTERVAL = 2
EVALUATION_INTERVAL = 1
STALE_THRESHOLD = 5
STALE_FOR = 10
FIRE_SLACK = 4          # for evaluation timing and a loaded machine
RESOLVE_SLACK = 5
SILENCE_SECONDS = 180   # upper bound of the injected silence; it is lifted as soon as the alert fired
SIMULATOR_RATE = 5      # frames per second per connection


class StackError(Exception):
    """A step could not be carried out (a process did not start, a server did not answer)."""


# ── Output ────────────────────────────────────────────────────────────────────────────────

def say(text=""):
    print(text, flush=True)


def indent(text, prefix="      "):
    return "\n".join(prefix + line for line in str(text).rstrip().splitlines())


class Report:
    def __init__(self, planned):
        self.planned = list(planned)
        self.results = {}       # name -> (ok, summary)

    def record(self, name, ok, summary="", details=""):
        assert name in self.planned, name
        self.results[name] = (ok, summary)
        say(f"{'PASS' if ok else 'FAIL'}  {name}{' — ' + summary if summary else ''}")
        if details:
            say(indent(details))
        return ok

    def finish(self, reason):
        for name in self.planned:
            if name not in self.results:
                self.record(name, False, f"not run: {reason}")

    def summary(self):
        say("\n== summary")
        for name in self.planned:
            ok, summary = self.results.get(name, (False, "not run"))
            say(f"{'PASS' if ok else 'FAIL'}  {name}{' — ' + summary if summary else ''}")
        failed = [name for name in self.planned if not self.results.get(name, (False,))[0]]
        say(f"\nstack-test: {'all ' + str(len(self.planned)) + ' checks passed' if not failed else str(len(failed)) + ' of ' + str(len(self.planned)) + ' checks FAILED'}")
        return not failed


# ── Processes ─────────────────────────────────────────────────────────────────────────────

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def coinflux_environment():
    # COINFLUX_<KEY> variables override configuration keys: keep the test's own settings only.
    return {k: v for k, v in os.environ.items() if not k.startswith("COINFLUX_")}


class Processes:
    """Everything this script starts; each in its own session so that it can be stopped whole."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.running = {}       # name -> (Popen, log path)

    def start(self, name, argv, env=None):
        log_path = os.path.join(self.workdir, f"{name}.log")
        with open(log_path, "wb") as log:
            process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       cwd=self.workdir, env=env, start_new_session=True)
        self.running[name] = (process, log_path)
        return process

    def log_tail(self, name, lines=25):
        try:
            with open(self.running[name][1], errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except (OSError, KeyError):
            return ""

    def check_alive(self):
        for name, (process, _) in self.running.items():
            status = process.poll()
            if status is not None:
                raise StackError(f"{name} exited with status {status}; the end of its log:\n{self.log_tail(name)}")

    def stop(self, *names):
        names = names or tuple(self.running)
        stopping = []
        for name in names:
            entry = self.running.pop(name, None)
            if entry is None:
                continue
            process = entry[0]
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            stopping.append(process)
        deadline = time.monotonic() + 15
        for process in stopping:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the group may hold children too
            except (ProcessLookupError, PermissionError):
                pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def wait_until(what, timeout, probe, processes=None, interval=0.5):
    """Calls probe() until it returns something true; StackError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    problem = None
    while True:
        if processes:
            processes.check_alive()
        try:
            value = probe()
            if value:
                return value
        except (StackError, OSError, ValueError, KeyError, urllib.error.URLError) as error:
            problem = error
        if time.monotonic() >= deadline:
            raise StackError(f"{what}: not within {timeout} s" + (f" (last problem: {problem})" if problem else ""))
        time.sleep(interval)


# ── HTTP ──────────────────────────────────────────────────────────────────────────────────

def http(method, url, data=None, timeout=10):
    """(status, body) of a request; HTTP error statuses are returned, not raised."""
    body = data.encode() if isinstance(data, str) else data
    request = urllib.request.Request(url, data=body, method=method)
    if method == "POST" and body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url, timeout=10):
    status, body = http("GET", url, timeout=timeout)
    if status != 200:
        raise StackError(f"GET {url}: HTTP {status}: {body[:300]!r}")
    return json.loads(body)


class Prometheus:
    def __init__(self, url):
        self.url = url

    def query(self, expr):
        answer = get_json(f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}")
        if answer.get("status") != "success":
            raise StackError(f"query {expr}: {answer}")
        return answer["data"]["result"]

    def scalar(self, expr):
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def alerts(self):
        return get_json(f"{self.url}/api/v1/alerts")["data"]["alerts"]

    def targets(self):
        return get_json(f"{self.url}/api/v1/targets")["data"]["activeTargets"]

    def rules(self):
        groups = get_json(f"{self.url}/api/v1/rules")["data"]["groups"]
        return [rule for group in groups for rule in group["rules"]]


class Alertmanager:
    def __init__(self, url):
        self.url = url

    def alerts(self):
        """Alerts Alertmanager holds that are not resolved (its API leaves resolved ones out)."""
        return get_json(f"{self.url}/api/v2/alerts")


class WebhookSink:
    """Alertmanager's webhook receivers, in this process: records every notification."""

    def __init__(self):
        self.notifications = []   # (received at, path, payload)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {"unparsed": body.decode("utf-8", "replace")}
                with sink.lock:
                    sink.notifications.append((time.time(), self.path, payload))
                self.send_response(200)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"ok\n")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def find(self, path, status, alertname, **labels):
        """(time, alert) of the first notification to `path` carrying a matching alert."""
        with self.lock:
            for received, where, payload in self.notifications:
                if where != path:
                    continue
                for alert in payload.get("alerts", []):
                    have = alert.get("labels", {})
                    if alert.get("status") == status and have.get("alertname") == alertname \
                            and all(have.get(k) == v for k, v in labels.items()):
                        return received, alert
        return None

    def alertnames(self, since=0):
        with self.lock:
            return sorted({(where, a.get("status"), a.get("labels", {}).get("alertname"))
                           for received, where, payload in self.notifications if received >= since
                           for a in payload.get("alerts", [])})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ── Configuration copies ──────────────────────────────────────────────────────────────────

def alert_names(path):
    return re.findall(r"(?m)^\s*-\s*alert:\s*(\w+)\s*$", open(path).read())


def shorten_stale_rule(text, threshold, for_seconds):
    """The rules text with only ExchangeFeedStale's final comparison literal and `for` replaced.
    Returns (new text, description); StackError if the rule is not laid out as documented
    (one threshold literal at the end of the expression, one `for:`)."""
    start = re.search(r"(?m)^[ \t]*-[ \t]*alert:[ \t]*ExchangeFeedStale[ \t]*$", text)
    if not start:
        raise StackError("no `- alert: ExchangeFeedStale` in pipeline.rules.yml")
    following = re.compile(r"(?m)^[ \t]*-[ \t]*alert:").search(text, start.end())
    end = following.start() if following else len(text)
    block = text[start.start():end]
    expr = re.search(r"(?m)^([ \t]*expr:[ \t]*)(.+)$", block)
    if not expr or expr.group(2).strip() in ("|", ">", "|-", ">-"):
        raise StackError("ExchangeFeedStale: expected a one-line `expr:`")
    comparison = re.search(r"(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$", expr.group(2))
    if not comparison:
        raise StackError(f"ExchangeFeedStale: no threshold literal at the end of: {expr.group(2)}")
    new_expr = expr.group(2)[:comparison.start(2)] + str(threshold) + expr.group(2)[comparison.end(2):]
    block = block[:expr.start(2)] + new_expr + block[expr.end(2):]
    durations = re.findall(r"(?m)^[ \t]*for:[ \t]*(\S+)[ \t]*$", block)
    if len(durations) != 1:
        raise StackError(f"ExchangeFeedStale: expected one `for:`, found {len(durations)}")
    block = re.sub(r"(?m)^([ \t]*for:[ \t]*)\S+", lambda m: m.group(1) + f"{for_seconds}s", block)
    description = (f"ExchangeFeedStale `{comparison.group(1)} {comparison.group(2)}` → `{comparison.group(1)} {threshold}`, "
                   f"`for: {durations[0]}` → `for: {for_seconds}s`")
    return text[:start.start()] + block + text[end:], description


def write_prometheus_config(directory, collector, processor, alertmanager):
    """prometheus.yml for the test and its rules: rules/*.rules.yml copied, ExchangeFeedStale shortened."""
    rules_dir = os.path.join(directory, "rules")
    os.makedirs(rules_dir)
    notes = []
    for path in sorted(glob.glob(os.path.join(REPO, "prometheus", "rules", "*.rules.yml"))):
        text = open(path).read()
        name = os.path.basename(path)
        if name == "pipeline.rules.yml":
            new, description = shorten_stale_rule(text, STALE_THRESHOLD, STALE_FOR)
            changed = [line for line in difflib.unified_diff(text.splitlines(), new.splitlines(), lineterm="", n=0)
                       if line[:1] in "+-" and not line.startswith(("+++", "---"))]
            if len(changed) != 4:
                raise StackError(f"the rule substitution changed {len(changed)} lines, expected 2 removed + 2 added:\n"
                                 + "\n".join(changed))
            notes.append(f"{name}: only {description}")
            text = new
        else:
            notes.append(f"{name}: verbatim")
        with open(os.path.join(rules_dir, name), "w") as out:
            out.write(text)
    config = f"""# Generated by scripts/stack-test.py from prometheus/prometheus.yml: static loopback targets,
# fast scrapes and evaluation, the local Alertmanager.
global:
  scrape_interval: {SCRAPE_INTERVAL}s
  scrape_timeout: {SCRAPE_INTERVAL}s
  evaluation_interval: {EVALUATION_INTERVAL}s

rule_files:
  - rules/*.rules.yml

alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:{alertmanager}"]

scrape_configs:
  - job_name: coinflux-collector
    static_configs:
      - targets: ["127.0.0.1:{collector}"]
        labels:
          service: collector
  - job_name: coinflux-processor
    static_configs:
      - targets: ["127.0.0.1:{processor}"]
        labels:
          service: processor
"""
    path = os.path.join(directory, "prometheus.yml")
    with open(path, "w") as out:
        out.write(config)
    return path, notes


def write_alertmanager_config(directory, webhook_port):
    """alertmanager/alertmanager.yml with the webhook URLs pointed at this script's receiver."""
    source = os.path.join(REPO, "alertmanager")
    shutil.copytree(os.path.join(source, "templates"), os.path.join(directory, "templates"))
    text = open(os.path.join(source, "alertmanager.yml")).read()
    new, count = re.subn(r"http://alert-webhook:5001", f"http://127.0.0.1:{webhook_port}", text)
    if count == 0:
        raise StackError("alertmanager.yml: no webhook URL http://alert-webhook:5001 to redirect")
    path = os.path.join(directory, "alertmanager.yml")
    with open(path, "w") as out:
        out.write(new)
    return path, count


def route_timing(severity):
    """(group_wait, group_interval) in seconds of the route for `severity` in alertmanager.yml."""
    text = open(os.path.join(REPO, "alertmanager", "alertmanager.yml")).read()
    route = re.search(r"severity=\"%s\"'\][^\n]*\n((?:[ \t]+(?![ \t]|- )[^\n]*\n)+)" % severity, text)

    def seconds(key, body):
        match = re.search(r"(?m)^\s*%s:\s*(\d+)([smh])" % key, body or "")
        return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)] if match else None

    root = text.split("routes:")[0]
    body = route.group(1) if route else ""
    return (seconds("group_wait", body) or seconds("group_wait", root) or 30,
            seconds("group_interval", body) or seconds("group_interval", root) or 300)


# ── The test ──────────────────────────────────────────────────────────────────────────────

class StackTest:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.processes = Processes(workdir)
        self.kafka = os.environ.get("COINFLUX_TEST_KAFKA")
        self.influx = os.environ.get("COINFLUX_TEST_INFLUXDB", "").rstrip("/")
        self.run_id = f"stack{os.getpid()}x{int(time.time())}"
        self.database = f"{self.run_id}_pipeline"
        self.run_database = f"{self.run_id}_run"
        self.pipeline_alerts = set(alert_names(os.path.join(REPO, "prometheus", "rules", "pipeline.rules.yml")))
        self.exchange = args.exchange
        self.webhook = None
        checks = []
        if not args.skip_static:
            checks.append("static checks (scripts/check-stack.sh)")
        checks += [
            "test Prometheus/Alertmanager configs load (promtool, amtool)",
            "promtool check metrics: coinflux collect",
            "promtool check metrics: coinflux process",
            "dashboards: saved variable values (InfluxQL + PromQL)",
            "dashboards: market, USDT venues (binance, bybit) with BTC-USDT",
            "dashboards: market, KRW venues (upbit, bithumb, coinone) with BTC-KRW",
            "alerts: no pipeline alert while healthy",
            f"alerts: ExchangeFeedStale fires for a silent {self.exchange} feed",
            "alerts: pager webhook gets the firing notification",
            f"alerts: ExchangeFeedStale resolves when {self.exchange} recovers",
            "promtool check metrics: coinflux run (Kafka + InfluxDB)",
            "promtool check metrics: coinflux run (in-process queue + points file)",
            "alerts: pager webhook gets the resolved notification",
        ]
        self.report = Report(checks)

    # ── helpers ──

    def coinflux(self, name, command, settings):
        argv = [self.args.coinflux, command]
        for key, value in settings.items():
            argv += ["--set", f"{key}={value}"]
        return self.processes.start(name, argv, env=coinflux_environment())

    def feed_settings(self):
        settings = {}
        for exchange, path in EXCHANGE_PATHS.items():
            settings[f"collector.{exchange}.url"] = f"ws://127.0.0.1:{self.sim_port}/{path}"
            settings[f"collector.{exchange}.rest_url"] = f"http://127.0.0.1:{self.sim_port}/{exchange}"
        return settings

    def influx_query(self, database, query):
        params = urllib.parse.urlencode({"db": database, "q": query})
        status, body = http("POST", f"{self.influx}/query", params)
        if status != 200:
            raise StackError(f"InfluxDB {query}: HTTP {status} {body[:200]!r}")
        return json.loads(body)

    def create_database(self, name):
        answer = self.influx_query("", f'CREATE DATABASE "{name}"')
        if any(result.get("error") for result in answer.get("results", [])):
            raise StackError(f"CREATE DATABASE {name}: {answer}")

    def series_tags(self, database, query):
        answer = self.influx_query(database, query)
        found = set()
        for result in answer.get("results", []):
            for series in result.get("series", []) or []:
                tags = series.get("tags") or {}
                found.add((tags.get("exchange"), tags.get("symbol")))
        return found

    def ready(self, port):
        status, _ = http("GET", f"http://127.0.0.1:{port}/readyz", timeout=5)
        return status == 200

    def metrics_text(self, port):
        status, body = http("GET", f"http://127.0.0.1:{port}/metrics", timeout=10)
        if status != 200:
            raise StackError(f"/metrics on {port}: HTTP {status}")
        return body.decode("utf-8", "replace")

    @staticmethod
    def metric_sum(text, name):
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                try:
                    total += float(line.rsplit(" ", 1)[1])
                except ValueError:
                    pass
        return total

    def promtool_check_metrics(self, check, port, label):
        """`curl /metrics | promtool check metrics`: any output at all is a failure."""
        text = self.metrics_text(port)
        dump = os.path.join(self.workdir, f"metrics-{label}.txt")
        with open(dump, "w") as out:
            out.write(text)
        families = len(re.findall(r"(?m)^# TYPE ", text))
        result = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=60)
        output = (result.stdout + result.stderr).decode("utf-8", "replace").strip()
        if result.returncode != 0 or output:
            self.report.record(check, False, f"promtool exit {result.returncode}, output:", output or "(no output)")
        elif families == 0:
            self.report.record(check, False, "/metrics has no metric families")
        else:
            self.report.record(check, True, f"{families} families, {len(text.splitlines())} lines, promtool silent")

    # ── steps ──

    def static_checks(self):
        name = "static checks (scripts/check-stack.sh)"
        if self.args.skip_static:
            return
        say("\n== static checks: scripts/check-stack.sh")
        result = subprocess.run([os.path.join(REPO, "scripts", "check-stack.sh")], capture_output=True, timeout=300)
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        say(indent(output, "  "))
        self.report.record(name, result.returncode == 0, f"exit {result.returncode}")

    def start_pipeline(self):
        say("\n== starting the simulator, Alertmanager, coinflux collect and process")
        # (Its stdout, which names the port it chose with --port 0, is block-buffered into the
        # log file: pick the port here instead.)
        self.sim_port = free_port()
        self.processes.start("simulator", [self.args.coinflux, "simulate", "--port", str(self.sim_port),
                                           "--rate", str(SIMULATOR_RATE), "--seed", "7", "--log-level", "warning"],
                             env=coinflux_environment())
        wait_until("simulator answering", 60,
                   lambda: http("GET", f"http://127.0.0.1:{self.sim_port}/admin/counters")[0] == 200, self.processes)
        say(f"  simulator        http://127.0.0.1:{self.sim_port}")

        # Alertmanager with the repository's configuration, webhooks redirected here.
        self.webhook = WebhookSink()
        am_dir = os.path.join(self.workdir, "alertmanager")
        os.makedirs(am_dir)
        am_config, redirected = write_alertmanager_config(am_dir, self.webhook.port)
        checked = subprocess.run(["amtool", "check-config", am_config], capture_output=True, timeout=60)
        self.am_port = free_port()
        self.processes.start("alertmanager", [
            ALERTMANAGER, f"--config.file={am_config}", f"--storage.path={am_dir}/data",
            f"--web.listen-address=127.0.0.1:{self.am_port}", "--cluster.listen-address=", "--log.level=warn"])
        self.alertmanager = Alertmanager(f"http://127.0.0.1:{self.am_port}")
        wait_until("alertmanager ready", 60, lambda: http("GET", f"{self.alertmanager.url}/-/ready")[0] == 200, self.processes)
        say(f"  alertmanager     {self.alertmanager.url} (alertmanager/alertmanager.yml, {redirected} webhook URLs → "
            f"127.0.0.1:{self.webhook.port})")

        # The pipeline: collect -> Kafka -> process -> InfluxDB.
        self.create_database(self.database)
        self.collector_port, self.processor_port = free_port(), free_port()
        kafka = {"kafka.brokers": self.kafka, "kafka.ticks_topic": f"{self.run_id}.ticks",
                 "kafka.fx_topic": f"{self.run_id}.fx", "kafka.deadletter_topic": f"{self.run_id}.deadletter"}
        self.coinflux("collect", "collect", {
            **self.feed_settings(), **kafka,
            "collector.silence_timeout": "5m",       # longer than the injected silence: the socket stays
            "collector.rest_fallback_after": "1h",   # no REST polls refreshing the last-message gauge
            "telemetry.listen": f"127.0.0.1:{self.collector_port}", "log.level": "notice"})
        self.coinflux("process", "process", {
            **kafka, "influxdb.url": self.influx, "influxdb.database": self.database,
            "processor.group": f"{self.run_id}-processor",
            "telemetry.listen": f"127.0.0.1:{self.processor_port}", "log.level": "notice"})
        for name, port in (("collect", self.collector_port), ("process", self.processor_port)):
            wait_until(f"coinflux {name} /readyz", 90, lambda port=port: self.ready(port), self.processes)
            say(f"  coinflux {name:8} http://127.0.0.1:{port}/metrics (ready)")

        # Prometheus last, once the feeds are connected: its first scrape sees a live pipeline.
        prom_dir = os.path.join(self.workdir, "prometheus")
        os.makedirs(prom_dir)
        prom_config, notes = write_prometheus_config(prom_dir, self.collector_port, self.processor_port, self.am_port)
        config_check = subprocess.run(["promtool", "check", "config", prom_config], capture_output=True, timeout=60)
        ok = config_check.returncode == 0 and checked.returncode == 0
        details = "\n".join(notes)
        if not ok:
            details += "\n" + (config_check.stdout + config_check.stderr + checked.stdout + checked.stderr).decode("utf-8", "replace")
        self.report.record("test Prometheus/Alertmanager configs load (promtool, amtool)", ok,
                           f"scrape {SCRAPE_INTERVAL}s, evaluation {EVALUATION_INTERVAL}s", details)
        self.prom_port = free_port()
        self.processes.start("prometheus", [
            PROMETHEUS, f"--config.file={prom_config}", f"--storage.tsdb.path={prom_dir}/data",
            f"--web.listen-address=127.0.0.1:{self.prom_port}", "--log.level=warn"])
        self.prometheus = Prometheus(f"http://127.0.0.1:{self.prom_port}")
        wait_until("prometheus ready", 90, lambda: http("GET", f"{self.prometheus.url}/-/ready")[0] == 200, self.processes)

        def targets_up():
            targets = self.prometheus.targets()
            jobs = {t["labels"]["job"]: t["health"] for t in targets}
            return jobs.get("coinflux-collector") == "up" and jobs.get("coinflux-processor") == "up"
        wait_until("both coinflux targets up in Prometheus", 60, targets_up, self.processes)
        # Rules evaluated before the first scrape see no `up` at all (CoinfluxTargetsMissing goes
        # pending); the healthy window starts once rules have run on scraped data.
        time.sleep(2 * EVALUATION_INTERVAL + 1)
        self.healthy_since = time.time()
        say(f"  prometheus       {self.prometheus.url} (both targets up)")

        stale = [r for r in self.prometheus.rules() if r.get("name") == "ExchangeFeedStale"]
        if len(stale) != 1 or stale[0].get("duration") != STALE_FOR or f"> {STALE_THRESHOLD}" not in stale[0].get("query", ""):
            raise StackError(f"Prometheus did not load the shortened ExchangeFeedStale rule: {stale}")
        loaded = {r.get("name") for r in self.prometheus.rules() if r.get("type") == "alerting"}
        missing = self.pipeline_alerts - loaded
        if missing:
            raise StackError(f"pipeline alerts not loaded by Prometheus: {sorted(missing)}")
        say(f"  rules loaded: {len(loaded)} alerts; ExchangeFeedStale = {stale[0]['query']} for {stale[0]['duration']}s")

    def firing_deadline(self):
        """Latest acceptable time from 'feed stale' (last message + threshold) to the alert in Alertmanager."""
        return STALE_FOR + 2 * SCRAPE_INTERVAL + EVALUATION_INTERVAL + FIRE_SLACK

    def observe_alerts(self, seen):
        """Records pipeline alerts in Prometheus (pending/firing) and Alertmanager into `seen`."""
        for alert in self.prometheus.alerts():
            name = alert["labels"].get("alertname")
            key = ("prometheus", alert["state"], name, alert["labels"].get("exchange") or alert["labels"].get("job") or "")
            seen.setdefault(key, time.time())
        for alert in self.alertmanager.alerts():
            name = alert["labels"].get("alertname")
            key = ("alertmanager", alert["status"]["state"], name, alert["labels"].get("exchange") or alert["labels"].get("job") or "")
            seen.setdefault(key, time.time())

    def wait_for_candles_while_quiet(self):
        """Waits for a closed 1-minute candle of every (exchange, symbol) with trades, watching that no
        pipeline alert fires meanwhile (for at least the time the stale alert is given to fire)."""
        say("\n== healthy pipeline: waiting for closed 1-minute candles, watching alerts")
        minimum_quiet = STALE_THRESHOLD + self.firing_deadline()
        deadline = time.time() + self.args.candle_timeout
        seen = {}
        candles = trades = set()
        last_print = 0
        while True:
            self.processes.check_alive()
            self.observe_alerts(seen)
            trades = self.series_tags(self.database, 'SELECT count("size") FROM "trade" WHERE time > now() - 1h GROUP BY "exchange", "symbol"')
            candles = self.series_tags(self.database, 'SELECT count("trades") FROM "candle_1m" WHERE time > now() - 1h GROUP BY "exchange", "symbol"')
            quiet_for = time.time() - self.healthy_since
            done = trades and trades <= candles
            if time.time() - last_print >= 10:
                say(f"  {quiet_for:5.0f} s healthy: candles for {len(candles & trades)}/{len(trades)} traded (exchange, symbol)")
                last_print = time.time()
            if done and quiet_for >= minimum_quiet:
                break
            if time.time() >= deadline:
                say(f"  gave up waiting after {self.args.candle_timeout} s: no candle yet for "
                    f"{sorted(trades - candles)} (the dashboard check will name the panels)")
                break
            time.sleep(1)
        self.observe_alerts(seen)
        quiet_for = time.time() - self.healthy_since
        self.quiet_seen = seen
        pipeline = {k: v for k, v in seen.items() if k[2] in self.pipeline_alerts}
        fired = [k for k in pipeline if k[0] == "alertmanager" or k[1] == "firing"]
        pending = [k for k in pipeline if k not in fired]
        market = sorted({f"{k[2]}({k[3]}) {k[1]} in {k[0]}" for k in seen if k[2] not in self.pipeline_alerts})
        notified = [n for n in self.webhook.alertnames() if n[2] in self.pipeline_alerts]
        details = []
        if pending:
            details.append("pending (not fired) pipeline alerts: " + ", ".join(f"{k[2]}({k[3]})" for k in sorted(pending)))
        if market:
            details.append("market alerts seen (allowed, simulated prices): " + ", ".join(market))
        if fired or notified:
            details.append("FIRED: " + ", ".join(f"{k[2]}({k[3]}) {k[1]} in {k[0]}" for k in sorted(fired)))
            details += [f"notified: {n}" for n in notified]
        ok = not fired and not notified and quiet_for >= minimum_quiet
        self.report.record("alerts: no pipeline alert while healthy", ok,
                           f"watched {quiet_for:.0f} s (≥ {minimum_quiet} s needed), Prometheus every 1 s and Alertmanager",
                           "\n".join(details))

    def check_pipeline_metrics(self):
        say("\n== /metrics of coinflux collect and process")
        self.promtool_check_metrics("promtool check metrics: coinflux collect", self.collector_port, "collect")
        self.promtool_check_metrics("promtool check metrics: coinflux process", self.processor_port, "process")

    def check_dashboards(self):
        script = os.path.join(REPO, "scripts", "dashboard-queries.py")
        market = os.path.join(REPO, "grafana", "dashboards", "market.json")
        base = [sys.executable, script, "--influx-url", self.influx, "--database", self.database]
        passes = [
            ("dashboards: saved variable values (InfluxQL + PromQL)", base + ["--prometheus-url", self.prometheus.url]),
            ("dashboards: market, USDT venues (binance, bybit) with BTC-USDT",
             base + ["--exchange", "binance,bybit", "--symbol", "BTC-USDT", market]),
            ("dashboards: market, KRW venues (upbit, bithumb, coinone) with BTC-KRW",
             base + ["--exchange", "upbit,bithumb,coinone", "--symbol", "BTC-KRW", market]),
        ]
        for name, argv in passes:
            say(f"\n== {name}\n  $ {' '.join(os.path.relpath(a, REPO) if a.startswith(REPO) else a for a in argv[1:])}")
            result = subprocess.run(argv, capture_output=True, timeout=300, cwd=REPO)
            output = (result.stdout + result.stderr).decode("utf-8", "replace")
            say(indent(output, "  "))
            failing = re.findall(r"(?m)^  - (.+)$", output)
            self.report.record(name, result.returncode == 0,
                               "every panel has data" if result.returncode == 0 else
                               f"exit {result.returncode}; no data or error: {'; '.join(failing) or 'see above'}")

    def alert_path(self):
        say(f"\n== live alert path: silencing the {self.exchange} feed")
        exchange = self.exchange
        group_wait, group_interval = route_timing("critical")
        age = self.prometheus.scalar(f'time() - coinflux_feed_last_message_timestamp_seconds{{exchange="{exchange}"}}')
        if age is None or age > STALE_THRESHOLD:
            raise StackError(f"{exchange} feed is not fresh before the silence (age {age})")
        others_before = {a["labels"].get("exchange") for a in self.prometheus.alerts()
                         if a["labels"].get("alertname") == "ExchangeFeedStale"}
        status, body = http("POST", f"http://127.0.0.1:{self.sim_port}/admin/{exchange}/silence?seconds={SILENCE_SECONDS}")
        injected = time.time()
        if status != 200:
            raise StackError(f"simulator refused the silence: HTTP {status} {body!r}")
        say(f"  POST /admin/{exchange}/silence?seconds={SILENCE_SECONDS} at {time.strftime('%H:%M:%S')} "
            f"(feed age then {age:.1f} s)")

        def matching(alerts, state_of):
            return [a for a in alerts if a["labels"].get("alertname") == "ExchangeFeedStale" and state_of(a)]

        pending_at = firing_at = am_at = None
        am_alert = None
        stale_elsewhere = set()
        give_up = injected + STALE_THRESHOLD + self.firing_deadline() + 30
        while time.time() < give_up:
            self.processes.check_alive()
            for alert in matching(self.prometheus.alerts(), lambda a: True):
                if alert["labels"].get("exchange") != exchange:
                    stale_elsewhere.add(alert["labels"].get("exchange"))
                elif alert["state"] == "pending" and pending_at is None:
                    pending_at = time.time()
                elif alert["state"] == "firing" and firing_at is None:
                    firing_at = time.time()
            for alert in matching(self.alertmanager.alerts(), lambda a: True):
                if alert["labels"].get("exchange") != exchange:
                    stale_elsewhere.add(alert["labels"].get("exchange"))
                elif am_at is None:
                    am_at, am_alert = time.time(), alert
            if am_at:
                break
            time.sleep(0.25)

        last_message = self.prometheus.scalar(f'coinflux_feed_last_message_timestamp_seconds{{exchange="{exchange}"}}')
        name = f"alerts: ExchangeFeedStale fires for a silent {exchange} feed"
        if am_at is None or last_message is None:
            self.report.record(name, False, f"not in Alertmanager within {give_up - injected:.0f} s of the silence "
                                            f"(Prometheus pending after {pending_at and pending_at - injected}, "
                                            f"firing after {firing_at and firing_at - injected})")
        else:
            stale_at = last_message + STALE_THRESHOLD
            after_stale = am_at - stale_at
            allowed = self.firing_deadline()
            problems = []
            if after_stale > allowed:
                problems.append(f"too late: {after_stale:.1f} s after the feed went stale, allowed {allowed} s")
            if after_stale < STALE_FOR - EVALUATION_INTERVAL:
                problems.append(f"too early: {after_stale:.1f} s after the feed went stale, `for` is {STALE_FOR} s")
            labels = am_alert["labels"]
            want = {"job": "coinflux-collector", "instance": f"127.0.0.1:{self.collector_port}", "severity": "critical",
                    "exchange": exchange}
            wrong = {k: labels.get(k) for k, v in want.items() if labels.get(k) != v}
            if wrong:
                problems.append(f"labels {wrong}, expected {want}")
            for key in ("summary", "description", "runbook"):
                if not am_alert.get("annotations", {}).get(key):
                    problems.append(f"annotation {key} missing")
            if am_alert["status"]["state"] != "active":
                problems.append(f"Alertmanager state {am_alert['status']} (inhibited or silenced?)")
            if stale_elsewhere - others_before:
                problems.append(f"ExchangeFeedStale also for {sorted(stale_elsewhere - others_before)}")
            self.fired_at = am_at
            self.firing_measured = (
                f"in Alertmanager {am_at - injected:.1f} s after the silence, {am_at - last_message:.1f} s after the "
                f"last frame, {after_stale:.1f} s after it went stale (> {STALE_THRESHOLD} s); allowed {allowed} s = "
                f"for {STALE_FOR} + 2×{SCRAPE_INTERVAL} scrape + {EVALUATION_INTERVAL} eval + {FIRE_SLACK} slack")
            details = [f"Prometheus: pending after {pending_at - injected:.1f} s, firing after {firing_at - injected:.1f} s"
                       if pending_at and firing_at else "Prometheus: state changes faster than the 0.25 s polling",
                       f"summary: {am_alert.get('annotations', {}).get('summary')}",
                       f"labels: {json.dumps(labels, sort_keys=True)}"] + problems
            self.report.record(name, not problems, self.firing_measured, "\n".join(details))

        # The pager receiver (severity critical) is notified after the route's group_wait.
        if am_at is not None:
            notify_deadline = am_at + group_wait + 15
            found = None
            while time.time() < notify_deadline and not found:
                found = self.webhook.find("/pager", "firing", "ExchangeFeedStale", exchange=exchange)
                time.sleep(0.5)
            self.report.record("alerts: pager webhook gets the firing notification", bool(found),
                               f"{found[0] - am_at:.1f} s after Alertmanager had it (route group_wait {group_wait} s)" if found
                               else f"nothing on /pager within group_wait {group_wait} s + 15 s; got {self.webhook.alertnames()}")

        # Recovery: lift the silence, the alert must go away.
        status, body = http("POST", f"http://127.0.0.1:{self.sim_port}/admin/{exchange}/silence?seconds=0")
        recovered = time.time()
        if status != 200:
            raise StackError(f"simulator refused to lift the silence: HTTP {status} {body!r}")
        say(f"  POST /admin/{exchange}/silence?seconds=0 (silence lifted)")
        gone_prometheus = gone_alertmanager = None
        give_up = recovered + 60
        while time.time() < give_up and not (gone_prometheus and gone_alertmanager):
            self.processes.check_alive()
            if gone_prometheus is None and not [a for a in matching(self.prometheus.alerts(), lambda a: True)
                                                if a["labels"].get("exchange") == exchange]:
                gone_prometheus = time.time()
            if gone_alertmanager is None and not [a for a in matching(self.alertmanager.alerts(), lambda a: True)
                                                  if a["labels"].get("exchange") == exchange]:
                gone_alertmanager = time.time()
            time.sleep(0.25)
        fresh = self.prometheus.scalar(f'coinflux_feed_last_message_timestamp_seconds{{exchange="{exchange}"}}')
        name = f"alerts: ExchangeFeedStale resolves when {exchange} recovers"
        allowed = 2 * SCRAPE_INTERVAL + EVALUATION_INTERVAL + RESOLVE_SLACK
        if gone_alertmanager is None or gone_prometheus is None:
            self.report.record(name, False, f"still active 60 s after the silence was lifted "
                                            f"(Prometheus {'resolved' if gone_prometheus else 'active'}, "
                                            f"Alertmanager {'resolved' if gone_alertmanager else 'active'})")
            self.resolved_at = None
        else:
            took = gone_alertmanager - recovered
            problems = []
            if took > allowed:
                problems.append(f"too slow: allowed {allowed} s")
            if fresh is None or fresh < recovered - 1:
                problems.append(f"last-message gauge did not advance ({fresh})")
            self.resolved_at = gone_alertmanager
            self.resolve_measured = (f"gone from Prometheus {gone_prometheus - recovered:.1f} s and from Alertmanager "
                                     f"{took:.1f} s after the silence was lifted; allowed {allowed} s = "
                                     f"2×{SCRAPE_INTERVAL} scrape + {EVALUATION_INTERVAL} eval + {RESOLVE_SLACK} slack")
            self.report.record(name, not problems, self.resolve_measured, "\n".join(problems))
        self.group_interval = group_interval

    def check_run_metrics(self):
        say("\n== coinflux run: with Kafka + InfluxDB, and with the in-process queue + points file")
        # The collect/process pipeline and Prometheus are done; Alertmanager stays for the
        # resolved notification, the simulator feeds the run processes.
        self.processes.stop("prometheus", "collect", "process")
        self.create_database(self.run_database)
        kafka_port, queue_port = free_port(), free_port()
        points_file = os.path.join(self.workdir, "run-points.lp")
        self.coinflux("run-kafka", "run", {
            **self.feed_settings(), "kafka.brokers": self.kafka, "kafka.ticks_topic": f"{self.run_id}.run.ticks",
            "kafka.fx_topic": f"{self.run_id}.run.fx", "kafka.deadletter_topic": f"{self.run_id}.run.deadletter",
            "processor.group": f"{self.run_id}-run", "influxdb.url": self.influx, "influxdb.database": self.run_database,
            "telemetry.listen": f"127.0.0.1:{kafka_port}", "log.level": "notice"})
        self.coinflux("run-queue", "run", {
            **self.feed_settings(), "run.points_file": points_file,
            "telemetry.listen": f"127.0.0.1:{queue_port}", "log.level": "notice"})

        def working(port, written_metric):
            if not self.ready(port):
                return False
            text = self.metrics_text(port)
            return self.metric_sum(text, "coinflux_processor_points_total") > 0 and \
                (written_metric is None or self.metric_sum(text, written_metric) > 0)
        wait_until("coinflux run (Kafka) ready and writing to InfluxDB", 60,
                   lambda: working(kafka_port, "coinflux_influxdb_points_written_total"), self.processes, 1)
        wait_until("coinflux run (queue) ready and writing points", 60,
                   lambda: working(queue_port, None) and os.path.getsize(points_file) > 0, self.processes, 1)
        time.sleep(3 * SCRAPE_INTERVAL)   # some more traffic: histograms, deliveries, commits
        self.promtool_check_metrics("promtool check metrics: coinflux run (Kafka + InfluxDB)", kafka_port, "run-kafka")
        self.promtool_check_metrics("promtool check metrics: coinflux run (in-process queue + points file)",
                                    queue_port, "run-queue")
        self.processes.stop("run-kafka", "run-queue")

    def resolved_notification(self):
        name = "alerts: pager webhook gets the resolved notification"
        if getattr(self, "resolved_at", None) is None or getattr(self, "fired_at", None) is None:
            self.report.record(name, False, "not checked: the alert did not fire and resolve")
            return
        # Alertmanager sends a group's changes at its group_interval after the previous notification.
        deadline = self.resolved_at + self.group_interval + 20
        found = None
        while not found and time.time() < deadline:
            found = self.webhook.find("/pager", "resolved", "ExchangeFeedStale", exchange=self.exchange)
            time.sleep(0.5)
        self.report.record(name, bool(found),
                           f"{found[0] - self.resolved_at:.1f} s after it resolved (route group_interval {self.group_interval} s)"
                           if found else f"nothing within group_interval {self.group_interval} s + 20 s; got {self.webhook.alertnames()}")

    def run(self):
        started = time.time()
        step = "setup"
        try:
            step = "static checks"
            self.static_checks()
            step = "starting the stack"
            self.start_pipeline()
            step = "waiting for candles"
            self.wait_for_candles_while_quiet()
            step = "metrics of collect and process"
            self.check_pipeline_metrics()
            step = "dashboards"
            self.check_dashboards()
            step = "alert path"
            self.alert_path()
            step = "coinflux run"
            self.check_run_metrics()
            step = "resolved notification"
            self.resolved_notification()
        except Exception as error:   # noqa: BLE001 — any failure ends the run with the summary
            if isinstance(error, StackError):
                say(f"\nFAIL  {step}: {error}")
            else:
                say(f"\nFAIL  {step}: unexpected {type(error).__name__}: {error}\n{traceback.format_exc()}")
            for name in list(self.processes.running):
                say(f"  --- end of {name}.log\n{indent(self.processes.log_tail(name, 15), '  ')}")
            self.report.finish(f"{step} failed")
        finally:
            self.processes.stop()
            if self.webhook:
                self.webhook.close()
        ok = self.report.summary()
        say(f"stack-test: {time.time() - started:.0f} s")
        return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--coinflux", required=True, help="the coinflux binary to test")
    parser.add_argument("--exchange", default="bybit", choices=sorted(EXCHANGE_PATHS),
                        help="the feed to silence for the alert test (default: bybit)")
    parser.add_argument("--candle-timeout", type=int, default=150,
                        help="seconds to wait for closed 1-minute candles (default: 150)")
    parser.add_argument("--skip-static", action="store_true", help="do not run scripts/check-stack.sh")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory even on success")
    args = parser.parse_args()

    args.coinflux = os.path.abspath(args.coinflux)
    if not os.access(args.coinflux, os.X_OK):
        parser.error(f"--coinflux {args.coinflux}: not an executable")
    for variable in ("COINFLUX_TEST_KAFKA", "COINFLUX_TEST_INFLUXDB"):
        if not os.environ.get(variable):
            parser.error(f"${variable} is not set: run under scripts/with-services.sh")
    for tool in (PROMETHEUS, ALERTMANAGER, "promtool", "amtool"):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed (scripts/install-deps.sh)")

    # SIGTERM/SIGHUP (e.g. a timeout around us) still stop everything we started.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    workdir = tempfile.mkdtemp(prefix="coinflux-stack-test.")
    say(f"stack-test: coinflux {args.coinflux}, kafka {os.environ['COINFLUX_TEST_KAFKA']}, "
        f"influxdb {os.environ['COINFLUX_TEST_INFLUXDB']}, work directory {workdir}")
    ok = False
    try:
        ok = StackTest(args, workdir).run()
    except KeyboardInterrupt as reason:
        say(f"\nstack-test: interrupted ({reason}); everything it started is stopped")
        return 130
    finally:
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"stack-test: logs, configs and metric dumps kept in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
