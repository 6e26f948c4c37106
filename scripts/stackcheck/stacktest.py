"""Live test of the observability stack against real processes on loopback.

Run it under scripts/with-services.sh, which provides a Kafka-protocol broker and InfluxDB 1.x:

    scripts/with-services.sh python3 scripts/stack-test.py --coinflux .build/debug/coinflux

It starts, on free 127.0.0.1 ports and in a temporary directory: the exchange simulator
(`coinflux simulate`), `coinflux collect` and two `coinflux process` replicas (one consumer group,
static membership; the BTC order books of every exchange, BOOK_MARKETS, on) fed by it, a real
Prometheus (/usr/bin/prometheus) and a real Alertmanager (/usr/bin/prometheus-alertmanager) whose
webhooks point at a receiver inside this script.
Prometheus finds the coinflux processes through a file_sd file that this test edits the way DNS
discovery changes in compose: a replica that is gone is taken out of it. Then it checks:

  static      scripts/check-stack.sh (--skip-static leaves it out)
  rules       Prometheus loads copies of prometheus/rules/{pipeline,market,replicas,monitoring}.rules.yml
              (kafka.rules.yml needs the broker-side lag exporter, which does not run here) in which
              ONLY ExchangeFeedStale's threshold and `for` (> 5, 10s), ConsumerLagSeconds' warning tier
              (> 8, 10s) and CoinfluxReplicasMissing's `for` (10s) are changed, as text
              (replicas.rules.yml expects 1 collector, 2 processors); scrapes every 2 s, evaluates every 1 s. Alertmanager
              runs alertmanager/alertmanager.yml with only the webhook URLs changed.
  quiet       while everything is healthy, for longer than the longest `for:` of the loaded pipeline
              rules, no pipeline alert is pending or firing (Prometheus, every second) or in
              Alertmanager, and none is notified; market alerts (severity info) on simulated prices
              are only listed; the Watchdog fires and reaches its own receiver.
  metrics     `curl /metrics | promtool check metrics` prints nothing, for collect, process, and
              `coinflux run` with Kafka + InfluxDB and with its in-process queue + points file
  dashboards  every InfluxQL and PromQL query of grafana/dashboards (scripts/dashboard-queries.py's
              runner) answers with data, with no fallback: the market dashboard with its saved
              variable values and for the USDT and the KRW venues; the pipeline dashboard after the
              conditions its conditional panels show were produced (REST fallback, parse and error
              frames, an undecodable message, an InfluxDB outage). Panels on the broker-side lag
              exporter's metrics are named, not checked: it does not run here.
  inhibition  alerts posted to Alertmanager: InfluxDBWritesFailing mutes the lag and latency alerts
  stale       the simulator silences one exchange: ExchangeFeedStale for it alone reaches
              Alertmanager within threshold + for + two scrapes + one evaluation + slack, and the
              pager webhook; lifting the silence resolves it and the pager gets the resolution
  replicas    one of the two processors is killed (SIGKILL) and leaves discovery:
              CoinfluxReplicasMissing reaches Alertmanager and the operators webhook, CoinfluxDown
              does not fire; restarted, the alert resolves
  lag seconds while the processors' database is gone nothing is committed: ConsumerLagSeconds
              (warning) reaches Alertmanager, and resolves once the database is back

Prints PASS/FAIL/SKIP per check and a summary; exit status 0 only if no check failed, 1 otherwise,
2 on bad usage. Everything it starts is stopped on exit, whatever happens. The temporary directory
(logs, configs, metric dumps) is removed on success and kept on failure.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from . import catalogue, grafana, repo_path, rules
from .alertmanager import Alertmanager
from .httpclient import QueryError, request
from .influx import Influx
from .output import Report, indent, say
from .processes import Processes, StackError, free_port, wait_until, without_coinflux_settings
from .prometheus import Prometheus
from .webhook import WebhookSink

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
# Order books the collector keeps (collector.<exchange>.books): the base of the market dashboard's
# saved $symbol on every exchange, so its spread, depth and executable-premium panels have data.
BOOK_MARKETS = {"binance": "BTC-USDT", "bybit": "BTC-USDT", "upbit": "BTC-KRW", "bithumb": "BTC-KRW", "coinone": "BTC-KRW"}
RULE_FILES = ("pipeline.rules.yml", "market.rules.yml", "replicas.rules.yml", "monitoring.rules.yml")
PROCESSORS = ("process-a", "process-b")

# Test timing (seconds). Prometheus scrapes every SCRAPE_INTERVAL and evaluates every
# EVALUATION_INTERVAL; the rule copies get the shortened values.
SCRAPE_INTERVAL = 2
EVALUATION_INTERVAL = 1
STALE_THRESHOLD = 5
STALE_FOR = 10
REPLICAS_FOR = 10
LAG_THRESHOLD = 8       # ConsumerLagSeconds (warning): seconds of uncommitted lag, and its `for`
LAG_FOR = 10
FIRE_SLACK = 4          # for evaluation timing and a loaded machine
RESOLVE_SLACK = 5
SILENCE_SECONDS = 180   # upper bound of the injected silence; it is lifted as soon as the alert fired
SIMULATOR_RATE = 5      # frames per second per connection
INFLUX_OUTAGE = 90      # longest the processors' database is gone (until ConsumerLagSeconds fires)


def write_rules(directory):
    """The rule copies Prometheus loads; returns notes on what changed."""
    shortened = {"pipeline.rules.yml": [("ExchangeFeedStale", STALE_THRESHOLD, STALE_FOR, None, 2),
                                        ("CoinfluxReplicasMissing", None, REPLICAS_FOR, None, 1),
                                        ("ConsumerLagSeconds", LAG_THRESHOLD, LAG_FOR, "warning", 2)]}
    os.makedirs(directory)
    notes = []
    for path in rules.rule_files(RULE_FILES):
        name = os.path.basename(path)
        with open(path) as source:
            text = source.read()
        changes = []
        for alertname, threshold, for_seconds, severity, expected in shortened.get(name, []):
            text, description, changed = rules.shorten(text, alertname, threshold, for_seconds, severity)
            if changed != expected:
                raise StackError(f"{name}: shortening {alertname} changed {changed} lines, expected {expected}")
            changes.append(description)
        notes.append(f"{name}: " + ("; ".join(changes) if changes else "verbatim"))
        with open(os.path.join(directory, name), "w") as out:
            out.write(text)
    missing = set(RULE_FILES) - {os.path.basename(p) for p in rules.rule_files(RULE_FILES)}
    if missing:
        raise StackError(f"rule files missing: {sorted(missing)}")
    return notes


def prometheus_config(targets_dir, alertmanager_port, prometheus_port):
    return f"""# Generated by scripts/stackcheck/stacktest.py: the jobs of prometheus/prometheus.yml, found
# through file_sd files the test edits (as DNS discovery would change), fast scrapes and evaluation.
global:
  scrape_interval: {SCRAPE_INTERVAL}s
  scrape_timeout: {SCRAPE_INTERVAL}s
  evaluation_interval: {EVALUATION_INTERVAL}s

rule_files:
  - rules/*.rules.yml

alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:{alertmanager_port}"]

scrape_configs:
  - job_name: coinflux-collector
    file_sd_configs:
      - files: ["{targets_dir}/coinflux-collector.json"]
  - job_name: coinflux-processor
    file_sd_configs:
      - files: ["{targets_dir}/coinflux-processor.json"]
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:{prometheus_port}"]
  - job_name: alertmanager
    static_configs:
      - targets: ["127.0.0.1:{alertmanager_port}"]
"""


def alertmanager_config(directory, webhook_port):
    """alertmanager/alertmanager.yml with the webhook URLs pointed at this test's receiver."""
    source = repo_path("alertmanager")
    shutil.copytree(os.path.join(source, "templates"), os.path.join(directory, "templates"))
    with open(os.path.join(source, "alertmanager.yml")) as config:
        text = config.read()
    count = text.count("http://alert-webhook:5001")
    if count == 0:
        raise StackError("alertmanager.yml: no webhook URL http://alert-webhook:5001 to redirect")
    path = os.path.join(directory, "alertmanager.yml")
    with open(path, "w") as out:
        out.write(text.replace("http://alert-webhook:5001", f"http://127.0.0.1:{webhook_port}"))
    return path, count


class StackTest:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.processes = Processes(workdir)
        self.kafka = os.environ.get("COINFLUX_TEST_KAFKA")
        self.run_id = f"stack{os.getpid()}x{int(time.time())}"
        self.influx = Influx(os.environ.get("COINFLUX_TEST_INFLUXDB", ""), f"{self.run_id}_pipeline")
        self.run_database = f"{self.run_id}_run"
        self.pipeline_alerts = rules.alert_names(rules.rule_files(RULE_FILES)) - \
            rules.alert_names(rules.rule_files(("market.rules.yml",))) - {"Watchdog"}
        self.pending_metrics = catalogue.pending()
        self.exchange = args.exchange
        self.webhook = None
        self.ports = {}
        checks = []
        if not args.skip_static:
            checks.append("static checks (scripts/check-stack.sh)")
        checks += [
            "test Prometheus/Alertmanager configs load (promtool, amtool)",
            "alerts: no pipeline alert pending or firing while healthy",
            "alerts: Watchdog fires and reaches the watchdog receiver",
            "promtool check metrics: coinflux collect",
            "promtool check metrics: coinflux process",
            "dashboards: market with its saved variable values",
            "dashboards: market, USDT venues (binance, bybit) with BTC-USDT",
            "dashboards: market, KRW venues (upbit, bithumb, coinone) with BTC-KRW",
            "alertmanager: InfluxDBWritesFailing inhibits the lag and latency alerts",
            f"alerts: ExchangeFeedStale fires for a silent {self.exchange} feed",
            "alerts: pager webhook gets the firing notification",
            f"alerts: ExchangeFeedStale resolves when {self.exchange} recovers",
            "dashboards: pipeline (saved variable values) after the conditional panels' conditions were produced",
            "alerts: CoinfluxReplicasMissing fires when 1 of 2 processors is gone",
            "alerts: operators webhook gets the replica notification",
            "alerts: CoinfluxReplicasMissing resolves when the processor is back",
            "alerts: ConsumerLagSeconds fires while nothing is committed, resolves when commits resume",
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
        return self.processes.start(name, argv, env=without_coinflux_settings())

    def feed_settings(self):
        settings = {}
        for exchange, path in EXCHANGE_PATHS.items():
            settings[f"collector.{exchange}.url"] = f"ws://127.0.0.1:{self.sim_port}/{path}"
            settings[f"collector.{exchange}.rest_url"] = f"http://127.0.0.1:{self.sim_port}/{exchange}"
        return settings

    def kafka_settings(self):
        return {"kafka.brokers": self.kafka, "kafka.ticks_topic": f"{self.run_id}.ticks",
                "kafka.fx_topic": f"{self.run_id}.fx", "kafka.deadletter_topic": f"{self.run_id}.deadletter",
                "kafka.books_topic": f"{self.run_id}.books"}

    def start_processor(self, name):
        self.ports[name] = self.ports.get(name) or free_port()
        self.coinflux(name, "process", {
            **self.kafka_settings(), "influxdb.url": self.influx.url, "influxdb.database": self.influx.database,
            "processor.group": f"{self.run_id}-processor", "processor.books": "true",
            # Static membership, as the Kubernetes StatefulSet runs it: a restarted replica takes its
            # partitions back at once (noida-db never expires a dead member's session).
            "kafka.properties.group.instance.id": f"{self.run_id}-{name}",
            "telemetry.listen": f"127.0.0.1:{self.ports[name]}", "log.level": "notice"})

    def set_targets(self, job, names):
        """The file_sd file of `job`: one target per running process in `names`."""
        path = os.path.join(self.targets_dir, f"{job}.json")
        entries = [{"targets": [f"127.0.0.1:{self.ports[name]}"], "labels": {"service": name}} for name in names]
        with open(path + ".tmp", "w") as out:
            json.dump(entries, out)
        os.replace(path + ".tmp", path)

    def sim(self, fault):
        status, body = request("POST", f"http://127.0.0.1:{self.sim_port}/admin/{fault}")
        if status != 200:
            raise StackError(f"simulator refused {fault}: HTTP {status} {body!r}")

    def ready(self, port):
        return request("GET", f"http://127.0.0.1:{port}/readyz", timeout=5)[0] == 200

    def metrics_text(self, port):
        status, body = request("GET", f"http://127.0.0.1:{port}/metrics", timeout=10)
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
        with open(os.path.join(self.workdir, f"metrics-{label}.txt"), "w") as out:
            out.write(text)
        families = text.count("\n# TYPE ") + text.startswith("# TYPE ")
        result = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=60)
        output = (result.stdout + result.stderr).decode("utf-8", "replace").strip()
        if result.returncode != 0 or output:
            self.report.record(check, False, f"promtool exit {result.returncode}, output:", output or "(no output)")
        elif families == 0:
            self.report.record(check, False, "/metrics has no metric families")
        else:
            self.report.record(check, True, f"{families} families, {len(text.splitlines())} lines, promtool silent")

    def alerts_named(self, source, alertname, **labels):
        alerts = self.prometheus.alerts() if source == "prometheus" else self.alertmanager.alerts()
        return [a for a in alerts if a["labels"].get("alertname") == alertname
                and all(a["labels"].get(k) == v for k, v in labels.items())]

    def firing_deadline(self, for_seconds):
        """Latest acceptable time from the condition becoming true to the alert in Alertmanager."""
        return for_seconds + 2 * SCRAPE_INTERVAL + EVALUATION_INTERVAL + FIRE_SLACK

    # ── steps ──

    def static_checks(self):
        if self.args.skip_static:
            return
        say("\n== static checks: scripts/check-stack.sh")
        result = subprocess.run([repo_path("scripts", "check-stack.sh")], capture_output=True, timeout=600)
        say(indent((result.stdout + result.stderr).decode("utf-8", "replace"), "  "))
        self.report.record("static checks (scripts/check-stack.sh)", result.returncode == 0, f"exit {result.returncode}")

    def start_pipeline(self):
        say("\n== starting the simulator, Alertmanager, coinflux collect, two coinflux process, Prometheus")
        # (Its stdout, which names the port it chose with --port 0, is block-buffered into the
        # log file: pick the port here instead.)
        self.sim_port = free_port()
        self.processes.start("simulator", [self.args.coinflux, "simulate", "--port", str(self.sim_port),
                                           "--rate", str(SIMULATOR_RATE), "--seed", "7", "--log-level", "warning"],
                             env=without_coinflux_settings())
        wait_until("simulator answering", 60,
                   lambda: request("GET", f"http://127.0.0.1:{self.sim_port}/admin/counters")[0] == 200, self.processes)
        say(f"  simulator        http://127.0.0.1:{self.sim_port}")

        self.webhook = WebhookSink()
        am_dir = os.path.join(self.workdir, "alertmanager")
        os.makedirs(am_dir)
        am_config, redirected = alertmanager_config(am_dir, self.webhook.port)
        am_check = subprocess.run(["amtool", "check-config", am_config], capture_output=True, timeout=60)
        am_port = free_port()
        self.processes.start("alertmanager", [
            ALERTMANAGER, f"--config.file={am_config}", f"--storage.path={am_dir}/data",
            f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=", "--log.level=warn"])
        self.alertmanager = Alertmanager(f"http://127.0.0.1:{am_port}")
        wait_until("alertmanager ready", 60, self.alertmanager.ready, self.processes)
        say(f"  alertmanager     {self.alertmanager.url} (alertmanager/alertmanager.yml, {redirected} webhook URLs → "
            f"127.0.0.1:{self.webhook.port})")

        # The pipeline: collect -> Kafka -> 2 × process -> InfluxDB.
        self.influx.execute(f'CREATE DATABASE "{self.influx.database}"')
        self.ports["collect"] = free_port()
        self.coinflux("collect", "collect", {
            **self.feed_settings(), **self.kafka_settings(),
            **{f"collector.{exchange}.books": market for exchange, market in BOOK_MARKETS.items()},
            "collector.silence_timeout": "5m",       # longer than the injected silence: the socket stays
            "collector.rest_fallback_after": "3s",   # polls only while a socket is down (not while silent)
            # The simulator's FX source: the fx-basis and tether premium panels have data.
            "collector.fx_url": f"http://127.0.0.1:{self.sim_port}/fx/latest/USD", "collector.fx_interval": "5s",
            "telemetry.listen": f"127.0.0.1:{self.ports['collect']}", "log.level": "notice"})
        for name in PROCESSORS:
            self.start_processor(name)
        for name in ("collect",) + PROCESSORS:
            wait_until(f"coinflux {name} /readyz", 90, lambda name=name: self.ready(self.ports[name]), self.processes)
            say(f"  coinflux {name:9} http://127.0.0.1:{self.ports[name]}/metrics (ready)")

        # Prometheus last, once the feeds are connected: its first scrape sees a live pipeline.
        prom_dir = os.path.join(self.workdir, "prometheus")
        self.targets_dir = os.path.join(prom_dir, "targets")
        os.makedirs(self.targets_dir)
        notes = write_rules(os.path.join(prom_dir, "rules"))
        self.set_targets("coinflux-collector", ["collect"])
        self.set_targets("coinflux-processor", PROCESSORS)
        prom_port = free_port()
        prom_config = os.path.join(prom_dir, "prometheus.yml")
        with open(prom_config, "w") as out:
            out.write(prometheus_config(self.targets_dir, am_port, prom_port))
        config_check = subprocess.run(["promtool", "check", "config", prom_config], capture_output=True, timeout=60)
        ok = config_check.returncode == 0 and am_check.returncode == 0
        details = "\n".join(notes)
        if not ok:
            details += "\n" + (config_check.stdout + config_check.stderr + am_check.stdout + am_check.stderr).decode("utf-8", "replace")
        self.report.record("test Prometheus/Alertmanager configs load (promtool, amtool)", ok,
                           f"scrape {SCRAPE_INTERVAL}s, evaluation {EVALUATION_INTERVAL}s", details)
        self.processes.start("prometheus", [
            PROMETHEUS, f"--config.file={prom_config}", f"--storage.tsdb.path={prom_dir}/data",
            f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"])
        self.prometheus = Prometheus(f"http://127.0.0.1:{prom_port}")
        wait_until("prometheus ready", 90, lambda: request("GET", f"{self.prometheus.url}/-/ready")[0] == 200, self.processes)

        def targets_up():
            health = [(t["labels"]["job"], t["health"]) for t in self.prometheus.targets()]
            return sorted(health) == sorted([("coinflux-collector", "up"), ("coinflux-processor", "up"),
                                             ("coinflux-processor", "up"), ("prometheus", "up"), ("alertmanager", "up")])
        wait_until("every target up in Prometheus", 60, targets_up, self.processes)
        # Rules evaluated before the first scrapes see no `up` at all; the healthy window starts
        # once rules have run on scraped data.
        time.sleep(2 * EVALUATION_INTERVAL + 1)
        self.healthy_since = time.time()
        say(f"  prometheus       {self.prometheus.url} (every target up)")

        loaded = [r for r in self.prometheus.rules() if r.get("type") == "alerting"]
        for alertname, threshold, for_seconds in (("ExchangeFeedStale", STALE_THRESHOLD, STALE_FOR),
                                                  ("CoinfluxReplicasMissing", None, REPLICAS_FOR),
                                                  ("ConsumerLagSeconds", LAG_THRESHOLD, LAG_FOR)):
            if not any(r.get("name") == alertname and r.get("duration") == for_seconds
                       and (not threshold or f"> {threshold}" in r.get("query", "")) for r in loaded):
                raise StackError(f"Prometheus did not load the shortened {alertname} rule: "
                                 f"{[r for r in loaded if r.get('name') == alertname]}")
        missing = self.pipeline_alerts - {r.get("name") for r in loaded}
        if missing:
            raise StackError(f"pipeline alerts not loaded by Prometheus: {sorted(missing)}")
        self.longest_for = max(r.get("duration", 0) for r in loaded if r.get("name") in self.pipeline_alerts)
        say(f"  rules loaded: {len(loaded)} alerts; longest `for` of the pipeline alerts {self.longest_for} s")

    def observe_alerts(self, seen):
        """Records alerts in Prometheus (pending/firing) and Alertmanager into `seen`."""
        for alert in self.prometheus.alerts():
            labels = alert["labels"]
            key = ("prometheus", alert["state"], labels.get("alertname"), labels.get("exchange") or labels.get("job") or "")
            seen.setdefault(key, time.time())
        for alert in self.alertmanager.alerts():
            labels = alert["labels"]
            key = ("alertmanager", alert["status"]["state"], labels.get("alertname"), labels.get("exchange") or labels.get("job") or "")
            seen.setdefault(key, time.time())

    def wait_for_candles_while_quiet(self):
        """Waits for a closed 1-minute candle of every (exchange, symbol) with trades, and at least
        longer than the longest `for:` of the pipeline alerts, watching that none is even pending."""
        minimum_quiet = self.longest_for + 2 * SCRAPE_INTERVAL + EVALUATION_INTERVAL + FIRE_SLACK
        say(f"\n== healthy pipeline: {minimum_quiet} s at least, waiting for closed 1-minute candles, watching alerts")
        deadline = time.time() + max(self.args.candle_timeout, minimum_quiet + 30)
        seen = {}
        last_print = 0
        while True:
            self.processes.check_alive()
            self.observe_alerts(seen)
            trades = self.influx.series_tags('SELECT count("size") FROM "trade" WHERE time > now() - 1h GROUP BY "exchange", "symbol"', "exchange", "symbol")
            candles = self.influx.series_tags('SELECT count("trades") FROM "candle_1m" WHERE time > now() - 1h GROUP BY "exchange", "symbol"', "exchange", "symbol")
            quiet_for = time.time() - self.healthy_since
            if time.time() - last_print >= 30:
                say(f"  {quiet_for:5.0f} s healthy: candles for {len(candles & trades)}/{len(trades)} traded (exchange, symbol)")
                last_print = time.time()
            if trades and trades <= candles and quiet_for >= minimum_quiet:
                break
            if time.time() >= deadline:
                say(f"  stopped waiting: no candle yet for {sorted(trades - candles)} (the dashboard check names the panels)")
                break
            time.sleep(1)
        self.observe_alerts(seen)
        quiet_for = time.time() - self.healthy_since
        pipeline = sorted(k for k in seen if k[2] in self.pipeline_alerts)
        market = sorted({f"{k[2]}({k[3]}) {k[1]} in {k[0]}" for k in seen if k[2] not in self.pipeline_alerts | {"Watchdog"}})
        notified = [n for n in self.webhook.alertnames() if n[2] in self.pipeline_alerts]
        details = []
        if pipeline:
            details.append("pipeline alerts seen: " + ", ".join(f"{k[2]}({k[3]}) {k[1]} in {k[0]}" for k in pipeline))
        details += [f"notified: {n}" for n in notified]
        if market:
            details.append("market alerts seen (allowed, simulated prices): " + ", ".join(market))
        self.report.record("alerts: no pipeline alert pending or firing while healthy",
                           not pipeline and not notified and quiet_for >= minimum_quiet,
                           f"watched {quiet_for:.0f} s (≥ {minimum_quiet} s = longest `for` {self.longest_for} s + 2 scrapes "
                           f"+ evaluation + {FIRE_SLACK} s), Prometheus every 1 s, and Alertmanager", "\n".join(details))
        group_wait, _ = rules.route_timing('alertname="Watchdog"')
        watchdog = [a for a in self.alertmanager.alerts() if a["labels"].get("alertname") == "Watchdog"]
        found = self.webhook.wait_for(time.time() + group_wait + 15, "/watchdog", "firing", "Watchdog")
        self.report.record("alerts: Watchdog fires and reaches the watchdog receiver", bool(watchdog and found),
                           "active in Alertmanager, notified on /watchdog" if watchdog and found else
                           f"Alertmanager {len(watchdog)} Watchdog alerts; notifications {self.webhook.alertnames()}")

    def check_pipeline_metrics(self):
        say("\n== /metrics of coinflux collect and process")
        self.promtool_check_metrics("promtool check metrics: coinflux collect", self.ports["collect"], "collect")
        self.promtool_check_metrics("promtool check metrics: coinflux process", self.ports["process-a"], "process")

    def dashboards(self, name, given=None, paths=grafana.DASHBOARDS, clients=None):
        say(f"\n== {name}")
        lines = []

        def out(text):
            lines.append(text)
            say("  " + text)
        not_here = {**self.pending_metrics, "kafka_consumergroup": "the broker-side lag exporter does not run in this test"}
        runner = grafana.Runner(clients or {"influxdb": self.influx, "prometheus": self.prometheus},
                                given or {}, not_here, out)
        for path in paths:
            runner.check(path)
        failing = list(dict.fromkeys(f"{d}: {t}" for d, t, _ in runner.failures))
        self.report.record(name, not failing, "every panel has data" if not failing else
                           f"no data or error: {'; '.join(failing)}")

    def check_dashboards(self):
        market = [p for p in grafana.DASHBOARDS if p.endswith("market.json")]
        self.dashboards("dashboards: market with its saved variable values", paths=market)
        self.dashboards("dashboards: market, USDT venues (binance, bybit) with BTC-USDT",
                        {"exchange": ["binance", "bybit"], "symbol": ["BTC-USDT"]}, market, {"influxdb": self.influx})
        self.dashboards("dashboards: market, KRW venues (upbit, bithumb, coinone) with BTC-KRW",
                        {"exchange": ["upbit", "bithumb", "coinone"], "symbol": ["BTC-KRW"]}, market, {"influxdb": self.influx})

    def check_inhibitions(self):
        """Alerts posted to Alertmanager as Prometheus would: while InfluxDBWritesFailing is active,
        the lag and latency alerts are suppressed (inhibited by it); other warnings are not."""
        name = "alertmanager: InfluxDBWritesFailing inhibits the lag and latency alerts"
        say(f"\n== {name}")
        now = time.time()

        def alert(alertname, severity, **labels):
            return {"labels": {"alertname": alertname, "severity": severity, "test": self.run_id, **labels},
                    "annotations": {"summary": "posted by the stack test"},
                    "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                    "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 40))}
        muted = [alert("ConsumerLagHigh", "warning", topic="t"), alert("ConsumerLagSeconds", "warning", topic="t"),
                 alert("EndToEndLatencyHigh", "warning", exchange="binance"),
                 alert("ProcessorPaused", "warning", job="coinflux-processor", instance="i")]
        loud = [alert("ReconnectStorm", "warning", exchange="upbit", job="coinflux-collector", instance="c")]
        self.alertmanager.post([alert("InfluxDBWritesFailing", "critical", job="coinflux-processor", instance="i")]
                               + muted + loud)

        def states():
            return {a["labels"]["alertname"]: a["status"] for a in self.alertmanager.alerts()
                    if a["labels"].get("test") == self.run_id}
        def processed():
            seen = states()
            return seen if len(seen) == 6 and all(v["state"] != "unprocessed" for v in seen.values()) else None

        def settled():
            # Alertmanager's inhibitor learns of the source alert asynchronously: a target read
            # before that shows as active, so wait (bounded) for the suppression to show.
            seen = processed()
            return seen if seen and all(seen[a["labels"]["alertname"]]["state"] == "suppressed" for a in muted) else None
        try:
            seen = wait_until("posted alerts processed", 20, processed)
        except StackError as error:
            self.report.record(name, False, str(error))
            return
        try:
            seen = wait_until("the lag and latency alerts suppressed", 20, settled)
        except StackError:
            seen = processed() or seen
        problems = [f"{a['labels']['alertname']}: {seen[a['labels']['alertname']]}" for a in muted
                    if seen[a["labels"]["alertname"]]["state"] != "suppressed"]
        problems += [f"ReconnectStorm should stay active: {seen['ReconnectStorm']}"
                     for _ in [0] if seen["ReconnectStorm"]["state"] != "active"]
        self.report.record(name, not problems, "ConsumerLagHigh, ConsumerLagSeconds, EndToEndLatencyHigh, ProcessorPaused "
                           "suppressed; ReconnectStorm active", "\n".join(problems))
        # Resolved only if endsAt has passed when Alertmanager merges it (else the later endsAt
        # already held wins), and a start must come before the end.
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60))
        ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        self.alertmanager.post([{**a, "startsAt": started, "endsAt": ended} for a in
                                [alert("InfluxDBWritesFailing", "critical", job="coinflux-processor", instance="i")] + muted + loud])
        wait_until("the posted alerts resolved", 30, lambda: not states())

    def stale_alert(self):
        say(f"\n== live alert path: silencing the {self.exchange} feed")
        exchange = self.exchange
        group_wait, group_interval = rules.route_timing('severity="critical"')
        age = self.prometheus.scalar(f'time() - coinflux_feed_last_message_timestamp_seconds{{exchange="{exchange}"}}')
        if age is None or age > STALE_THRESHOLD:
            raise StackError(f"{exchange} feed is not fresh before the silence (age {age})")
        others_before = {a["labels"].get("exchange") for a in self.alerts_named("prometheus", "ExchangeFeedStale")}
        self.sim(f"{exchange}/silence?seconds={SILENCE_SECONDS}")
        injected = time.time()
        say(f"  POST /admin/{exchange}/silence?seconds={SILENCE_SECONDS} at {time.strftime('%H:%M:%S')} (feed age then {age:.1f} s)")

        pending_at = firing_at = am_at = None
        am_alert = None
        stale_elsewhere = set()
        give_up = injected + STALE_THRESHOLD + self.firing_deadline(STALE_FOR) + 30
        while time.time() < give_up:
            self.processes.check_alive()
            for alert in self.alerts_named("prometheus", "ExchangeFeedStale"):
                if alert["labels"].get("exchange") != exchange:
                    stale_elsewhere.add(alert["labels"].get("exchange"))
                elif alert["state"] == "pending" and pending_at is None:
                    pending_at = time.time()
                elif alert["state"] == "firing" and firing_at is None:
                    firing_at = time.time()
            for alert in self.alerts_named("alertmanager", "ExchangeFeedStale"):
                if alert["labels"].get("exchange") != exchange:
                    stale_elsewhere.add(alert["labels"].get("exchange"))
                elif am_at is None:
                    am_at, am_alert = time.time(), alert
            if am_at:
                break
            time.sleep(0.25)

        last_message = self.prometheus.scalar(f'coinflux_feed_last_message_timestamp_seconds{{exchange="{exchange}"}}')
        name = f"alerts: ExchangeFeedStale fires for a silent {exchange} feed"
        self.fired_at = am_at
        if am_at is None or last_message is None:
            self.report.record(name, False, f"not in Alertmanager within {give_up - injected:.0f} s of the silence "
                                            f"(Prometheus pending after {pending_at and pending_at - injected}, "
                                            f"firing after {firing_at and firing_at - injected})")
        else:
            after_stale = am_at - (last_message + STALE_THRESHOLD)
            allowed = self.firing_deadline(STALE_FOR)
            problems = []
            if after_stale > allowed:
                problems.append(f"too late: {after_stale:.1f} s after the feed went stale, allowed {allowed} s")
            if after_stale < STALE_FOR - EVALUATION_INTERVAL:
                problems.append(f"too early: {after_stale:.1f} s after the feed went stale, `for` is {STALE_FOR} s")
            labels = am_alert["labels"]
            want = {"job": "coinflux-collector", "instance": f"127.0.0.1:{self.ports['collect']}", "severity": "critical",
                    "exchange": exchange}
            wrong = {k: labels.get(k) for k, v in want.items() if labels.get(k) != v}
            if wrong:
                problems.append(f"labels {wrong}, expected {want}")
            problems += [f"annotation {key} missing" for key in ("summary", "description", "runbook")
                         if not am_alert.get("annotations", {}).get(key)]
            if am_alert["status"]["state"] != "active":
                problems.append(f"Alertmanager state {am_alert['status']} (inhibited or silenced?)")
            if stale_elsewhere - others_before:
                problems.append(f"ExchangeFeedStale also for {sorted(stale_elsewhere - others_before)}")
            details = [f"Prometheus: pending after {pending_at - injected:.1f} s, firing after {firing_at - injected:.1f} s"
                       if pending_at and firing_at else "Prometheus: state changes faster than the 0.25 s polling",
                       f"summary: {am_alert.get('annotations', {}).get('summary')}",
                       f"labels: {json.dumps(labels, sort_keys=True)}"] + problems
            self.report.record(name, not problems,
                               f"in Alertmanager {am_at - injected:.1f} s after the silence, {after_stale:.1f} s after the "
                               f"feed went stale (> {STALE_THRESHOLD} s); allowed {allowed} s = for {STALE_FOR} + "
                               f"2×{SCRAPE_INTERVAL} scrape + {EVALUATION_INTERVAL} eval + {FIRE_SLACK} slack", "\n".join(details))
            found = self.webhook.wait_for(am_at + group_wait + 15, "/pager", "firing", "ExchangeFeedStale", exchange=exchange)
            self.report.record("alerts: pager webhook gets the firing notification", bool(found),
                               f"{found[0] - am_at:.1f} s after Alertmanager had it (route group_wait {group_wait} s)" if found
                               else f"nothing on /pager within group_wait {group_wait} s + 15 s; got {self.webhook.alertnames()}")

        # Recovery: lift the silence, the alert must go away.
        self.sim(f"{exchange}/silence?seconds=0")
        recovered = time.time()
        say(f"  POST /admin/{exchange}/silence?seconds=0 (silence lifted)")
        gone_prometheus = gone_alertmanager = None
        while time.time() < recovered + 60 and not (gone_prometheus and gone_alertmanager):
            self.processes.check_alive()
            if gone_prometheus is None and not self.alerts_named("prometheus", "ExchangeFeedStale", exchange=exchange):
                gone_prometheus = time.time()
            if gone_alertmanager is None and not self.alerts_named("alertmanager", "ExchangeFeedStale", exchange=exchange):
                gone_alertmanager = time.time()
            time.sleep(0.25)
        fresh = self.prometheus.scalar(f'coinflux_feed_last_message_timestamp_seconds{{exchange="{exchange}"}}')
        name = f"alerts: ExchangeFeedStale resolves when {exchange} recovers"
        allowed = 2 * SCRAPE_INTERVAL + EVALUATION_INTERVAL + RESOLVE_SLACK
        self.resolved_at = gone_alertmanager
        self.group_interval = group_interval
        if gone_alertmanager is None or gone_prometheus is None:
            self.report.record(name, False, f"still active 60 s after the silence was lifted "
                                            f"(Prometheus {'resolved' if gone_prometheus else 'active'}, "
                                            f"Alertmanager {'resolved' if gone_alertmanager else 'active'})")
            return
        took = gone_alertmanager - recovered
        problems = [f"too slow: allowed {allowed} s"] if took > allowed else []
        if fresh is None or fresh < recovered - 1:
            problems.append(f"last-message gauge did not advance ({fresh})")
        self.report.record(name, not problems,
                           f"gone from Prometheus {gone_prometheus - recovered:.1f} s and from Alertmanager {took:.1f} s "
                           f"after the silence was lifted; allowed {allowed} s = 2×{SCRAPE_INTERVAL} scrape + "
                           f"{EVALUATION_INTERVAL} eval + {RESOLVE_SLACK} slack", "\n".join(problems))

    def produce_conditions(self):
        """Produces what the pipeline's conditional panels show, then checks the pipeline dashboard
        with no fallback: REST fallback polls (a socket closed and refused for longer than
        collector.rest_fallback_after), parse errors and an exchange error frame, an undecodable
        message on the ticks topic (dead letter), and an InfluxDB outage (the processors' database
        dropped for a few seconds: 404s, retries, paused fetching)."""
        say("\n== producing the conditions of the conditional pipeline panels")
        self.sim("upbit/refuse?seconds=12")
        self.sim("upbit/close")
        self.sim("binance/malformed?count=3")
        self.sim("coinone/error")
        kcat = subprocess.run(["kcat", "-b", self.kafka, "-P", "-t", f"{self.run_id}.ticks", "-k", "BTC"],
                              input=b"not an event\n", capture_output=True, timeout=30)
        if kcat.returncode != 0:
            raise StackError(f"kcat could not produce the undecodable message: {kcat.stderr!r}")
        self.influx.execute(f'DROP DATABASE "{self.influx.database}"')
        dropped = time.time()
        say(f"  upbit closed and refused 12 s, 3 malformed binance frames, a coinone error frame, an undecodable "
            f"message, database {self.influx.database} dropped")
        fired = self.lag_seconds_fires(dropped)
        self.influx.execute(f'CREATE DATABASE "{self.influx.database}"')
        self.lag_seconds_resolves(fired, time.time())
        wanted = ['coinflux_feed_rest_polls_total{exchange="upbit"}',
                  'coinflux_feed_parse_errors_total{exchange="binance"} > 0',
                  'coinflux_feed_exchange_errors_total{exchange="coinone"} > 0',
                  'coinflux_deadletter_messages_total{reason="undecodable"} > 0',
                  'coinflux_influxdb_requests_total{result!~"2.."}', "coinflux_influxdb_retries_total",
                  "increase(coinflux_influxdb_points_written_total[30s]) > 0"]
        try:
            wait_until("every produced condition visible in Prometheus (and writes resumed)", 90,
                       lambda: all(self.prometheus.query(expr) for expr in wanted), self.processes, 1)
        except StackError as error:
            missing = [expr for expr in wanted if not self.prometheus.query(expr)]
            self.report.record("dashboards: pipeline (saved variable values) after the conditional panels' conditions were produced", False,
                               f"{error}; missing: {missing}")
            return
        self.dashboards("dashboards: pipeline (saved variable values) after the conditional panels' conditions were produced",
                        paths=[p for p in grafana.DASHBOARDS if p.endswith("pipeline.json")])

    def replica_alert(self):
        say("\n== one of two processors gone: SIGKILL process-b and drop it from discovery")
        group_wait, _ = rules.route_timing('severity="warning"')
        self.processes.kill("process-b")
        self.set_targets("coinflux-processor", ["process-a"])
        killed = time.time()
        name = "alerts: CoinfluxReplicasMissing fires when 1 of 2 processors is gone"
        am_alert = None
        down = set()
        give_up = killed + self.firing_deadline(REPLICAS_FOR) + 2 * SCRAPE_INTERVAL + 30
        while time.time() < give_up and not am_alert:
            self.processes.check_alive()
            down |= {a["labels"].get("instance") for a in self.alerts_named("prometheus", "CoinfluxDown")
                     if a["state"] == "firing"}
            found = self.alerts_named("alertmanager", "CoinfluxReplicasMissing", job="coinflux-processor")
            am_alert = found[0] if found else None
            time.sleep(0.25)
        fired = time.time()
        if not am_alert:
            self.report.record(name, False, f"not in Alertmanager within {give_up - killed:.0f} s of the kill")
        else:
            took = fired - killed
            allowed = self.firing_deadline(REPLICAS_FOR) + SCRAPE_INTERVAL   # + the file_sd reload
            problems = []
            if took > allowed:
                problems.append(f"too late: allowed {allowed} s")
            if took < REPLICAS_FOR - EVALUATION_INTERVAL:
                problems.append(f"too early: `for` is {REPLICAS_FOR} s")
            if am_alert["labels"].get("severity") != "warning" or am_alert["status"]["state"] != "active":
                problems.append(f"labels {am_alert['labels']}, status {am_alert['status']}")
            if down:
                problems.append(f"CoinfluxDown fired for {sorted(down)}: a replica that left discovery is not down")
            self.report.record(name, not problems, f"in Alertmanager {took:.1f} s after the kill (allowed {allowed} s); "
                               f"summary: {am_alert['annotations'].get('summary')}", "\n".join(problems))
            found = self.webhook.wait_for(fired + group_wait + 15, "/operators", "firing", "CoinfluxReplicasMissing",
                                          job="coinflux-processor")
            self.report.record("alerts: operators webhook gets the replica notification", bool(found),
                               f"{found[0] - fired:.1f} s after Alertmanager had it (route group_wait {group_wait} s)" if found
                               else f"nothing on /operators within {group_wait} s + 15 s; got {self.webhook.alertnames()}")
        say("  restarting process-b (same group.instance.id) and putting it back into discovery")
        self.start_processor("process-b")
        wait_until("process-b /readyz", 90, lambda: self.ready(self.ports["process-b"]), self.processes)
        self.set_targets("coinflux-processor", PROCESSORS)
        back = time.time()
        gone = wait_until("CoinfluxReplicasMissing gone from Alertmanager", 60, lambda: not self.alerts_named(
            "alertmanager", "CoinfluxReplicasMissing", job="coinflux-processor") and time.time(), self.processes, 0.25)
        allowed = 3 * SCRAPE_INTERVAL + EVALUATION_INTERVAL + RESOLVE_SLACK
        self.report.record("alerts: CoinfluxReplicasMissing resolves when the processor is back", gone - back <= allowed,
                           f"gone {gone - back:.1f} s after the replica was back in discovery (allowed {allowed} s)")

    def lag_seconds_fires(self, dropped):
        """While the database is gone, nothing is written, so nothing is committed: the age of the
        oldest uncommitted message grows, and ConsumerLagSeconds (warning) must reach Alertmanager
        within threshold + for + two scrapes + evaluation + slack (plus a commit interval)."""
        self.lag_check = "alerts: ConsumerLagSeconds fires while nothing is committed, resolves when commits resume"
        deadline = dropped + min(INFLUX_OUTAGE, LAG_THRESHOLD + self.firing_deadline(LAG_FOR) + 10)
        alert = None
        while time.time() < deadline and not alert:
            self.processes.check_alive()
            found = self.alerts_named("alertmanager", "ConsumerLagSeconds", severity="warning", topic=f"{self.run_id}.ticks")
            alert = found[0] if found else None
            time.sleep(0.25)
        took = time.time() - dropped
        lag = self.prometheus.scalar("max(coinflux_consumer_lag_seconds)")
        if not alert:
            self.lag_problems = [f"not in Alertmanager within {deadline - dropped:.0f} s of the outage (max lag {lag} s)",
                                 *self.lag_timeline(time.time() - dropped)]
            return None
        self.lag_problems = []
        if took < LAG_THRESHOLD + LAG_FOR - EVALUATION_INTERVAL:
            self.lag_problems.append(f"too early: {took:.1f} s, threshold {LAG_THRESHOLD} s + for {LAG_FOR} s")
        if alert["status"]["state"] != "active":
            self.lag_problems.append(f"labels {alert['labels']}, status {alert['status']}")
        self.lag_fired = f"in Alertmanager {took:.1f} s after the database went (max lag then {lag} s)"
        say(f"  ConsumerLagSeconds {self.lag_fired}")
        return time.time()

    def lag_timeline(self, seconds):
        """What Prometheus saw since the outage began, for a lag alert that did not fire: the lag per
        topic and the processors' scrape health, second by second, and the rule's own state."""
        window = f"[{int(seconds) + 1}s:1s]"
        lines = []
        for expr in (f"max by (topic) (coinflux_consumer_lag_seconds){window}", f'up{{job="coinflux-processor"}}{window}'):
            for series in self.prometheus.query(expr):
                values = " ".join(f"{float(v):.0f}" for _, v in series.get("values", []))
                lines.append(f"{expr.split(window)[0]} {series.get('metric')}: {values}")
        lines += [f"Prometheus: {a['labels']} {a['state']} since {a.get('activeAt')}"
                  for a in self.alerts_named("prometheus", "ConsumerLagSeconds")]
        return lines

    def lag_seconds_resolves(self, fired, restored):
        if fired is None:
            self.report.record(self.lag_check, False, self.lag_problems[0], "\n".join(self.lag_problems[1:]))
            return
        try:
            gone = wait_until("ConsumerLagSeconds gone from Alertmanager", 90, lambda: not self.alerts_named(
                "alertmanager", "ConsumerLagSeconds", topic=f"{self.run_id}.ticks") and time.time(), self.processes, 0.25)
        except StackError as error:
            self.report.record(self.lag_check, False, str(error))
            return
        self.report.record(self.lag_check, not self.lag_problems,
                           f"{self.lag_fired}; gone {gone - restored:.1f} s after it was back (the writer's "
                           f"retry backoff, then a commit)", "\n".join(self.lag_problems))

    def check_run_metrics(self):
        say("\n== coinflux run: with Kafka + InfluxDB, and with the in-process queue + points file")
        self.processes.stop("prometheus", "collect", *PROCESSORS)
        self.influx.execute(f'CREATE DATABASE "{self.run_database}"')
        kafka_port, queue_port = free_port(), free_port()
        points_file = os.path.join(self.workdir, "run-points.lp")
        self.coinflux("run-kafka", "run", {
            **self.feed_settings(), "kafka.brokers": self.kafka, "kafka.ticks_topic": f"{self.run_id}.run.ticks",
            "kafka.fx_topic": f"{self.run_id}.run.fx", "kafka.deadletter_topic": f"{self.run_id}.run.deadletter",
            "processor.group": f"{self.run_id}-run", "influxdb.url": self.influx.url, "influxdb.database": self.run_database,
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
        allowed = self.group_interval + 20
        found = self.webhook.wait_for(self.resolved_at + allowed, "/pager", "resolved",
                                      "ExchangeFeedStale", exchange=self.exchange)
        self.report.record(name, bool(found) and found[0] - self.resolved_at <= allowed,
                           f"{found[0] - self.resolved_at:.1f} s after it resolved (route group_interval {self.group_interval} s)"
                           if found else f"nothing within group_interval {self.group_interval} s + 20 s; got {self.webhook.alertnames()}")

    def run(self):
        started = time.time()
        steps = [("static checks", self.static_checks), ("starting the stack", self.start_pipeline),
                 ("healthy window", self.wait_for_candles_while_quiet), ("metrics", self.check_pipeline_metrics),
                 ("dashboards", self.check_dashboards), ("inhibitions", self.check_inhibitions),
                 ("stale alert", self.stale_alert), ("conditional panels", self.produce_conditions),
                 ("replica alert", self.replica_alert),
                 ("coinflux run", self.check_run_metrics), ("resolved notification", self.resolved_notification)]
        step = "setup"
        try:
            for step, action in steps:
                action()
        except Exception as error:   # noqa: BLE001 — any failure ends the run with the summary
            if isinstance(error, (StackError, QueryError)):
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
    if args.exchange in ("upbit", "binance", "coinone"):
        parser.error(f"--exchange {args.exchange}: that feed carries the produced conditions; pick bybit or bithumb")
    for variable in ("COINFLUX_TEST_KAFKA", "COINFLUX_TEST_INFLUXDB"):
        if not os.environ.get(variable):
            parser.error(f"${variable} is not set: run under scripts/with-services.sh")
    for tool in (PROMETHEUS, ALERTMANAGER, "promtool", "amtool", "kcat"):
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
