"""Unit tests of the checkers themselves: each must reject what it exists to reject. Run by
scripts/check-stack.sh (scripts/stack-checks.py selftest); standard library unittest."""

import unittest

from . import catalogue, compose, grafana, kubernetes, partitions, rules

LIVE = {f"COINFLUX_COLLECTOR_{e}_SYMBOLS": "BTC-USDT" for e in ("BINANCE",)}
SIMULATED = {f"COINFLUX_COLLECTOR_{e}_{k}": f"ws://simulator:8790/{e.lower()}"
             for e in ("BINANCE", "UPBIT", "BYBIT", "BITHUMB", "COINONE") for k in ("URL", "REST_URL")}


class ComposeChecks(unittest.TestCase):
    def test_two_collector_kinds_into_one_topic_are_rejected(self):
        # The stack before #13: `--profile demo` added a simulator collector on market.ticks.
        services = {"collector": {"command": ["collect"], "environment": dict(LIVE)},
                    "collector-demo": {"command": ["collect"], "environment": dict(SIMULATED)},
                    "processor": {"command": ["process"], "environment": {}}}
        problems = compose.data_flow_problems(services)
        self.assertTrue(any("topic market.ticks gets two kinds" in p for p in problems), problems)
        self.assertTrue(any("bucket market gets two kinds" in p for p in problems), problems)

    def test_separate_topics_and_buckets_pass(self):
        services = {"collector": {"command": ["collect"], "environment": dict(LIVE)},
                    "collector-demo": {"command": ["collect"], "environment": {**SIMULATED, "COINFLUX_KAFKA_TICKS_TOPIC": "demo.ticks"}},
                    "processor": {"command": ["process"], "environment": {}},
                    "processor-demo": {"command": ["process"], "environment": {"COINFLUX_KAFKA_TICKS_TOPIC": "demo.ticks",
                                                                                "COINFLUX_INFLUXDB_BUCKET": "demo"}}}
        self.assertEqual(compose.data_flow_problems(services), [])

    def test_a_collector_half_on_the_simulator_is_mixed(self):
        half = {k: v for k, v in SIMULATED.items() if "BINANCE" in k}
        self.assertEqual(compose.collector_kind(half), "mixed")
        self.assertEqual(compose.collector_kind(SIMULATED), "simulator")
        self.assertEqual(compose.collector_kind(LIVE), "exchanges")

    def test_the_fx_source_counts_as_a_data_source(self):
        live_fx = "https://open.er-api.com/v6/latest/USD"
        simulated_fx = "http://simulator:8790/fx/latest/USD"
        self.assertEqual(compose.collector_kind({**SIMULATED, "COINFLUX_COLLECTOR_FX_URL": simulated_fx}), "simulator")
        self.assertEqual(compose.collector_kind({**SIMULATED, "COINFLUX_COLLECTOR_FX_URL": live_fx}), "mixed")
        self.assertEqual(compose.collector_kind({**LIVE, "COINFLUX_COLLECTOR_FX_URL": live_fx}), "exchanges")
        self.assertEqual(compose.collector_kind({**LIVE, "COINFLUX_COLLECTOR_FX_URL": simulated_fx}), "mixed")
        self.assertEqual(compose.collector_kind({**SIMULATED, "COINFLUX_COLLECTOR_FX_URL": ""}), "simulator")

    def test_operations_rules(self):
        service = {"command": ["process"], "environment": {"COINFLUX_INFLUXDB_TOKEN": "secret"},
                   "stop_grace_period": "10s", "deploy": {"replicas": 5}}
        problems = " | ".join(compose.operation_problems({"processor": service}))
        for expected in ("no log rotation", "no memory limit", "COINFLUX_INFLUXDB_TOKEN carries a secret",
                         "stop_grace_period 10 s", "5 replicas"):
            self.assertIn(expected, problems)


class Partitions(unittest.TestCase):
    def test_crc32_partitions_of_the_old_and_new_defaults(self):
        # The old default symbols keyed BTC, ETH and USDT only: 3 of 6 partitions.
        self.assertEqual(partitions.uncovered(["BTC-USDT", "ETH-USDT", "USDT-KRW"], 6), [0, 1, 4])
        self.assertEqual(partitions.spread(["XRP-KRW", "BNB-USDT", "BTC-KRW", "USDT-KRW", "DOGE-KRW", "ETH-KRW"], 6),
                         {0: ["XRP"], 1: ["BNB"], 2: ["BTC"], 3: ["USDT"], 4: ["DOGE"], 5: ["ETH"]})


class Rules(unittest.TestCase):
    TEXT = """groups:
  - name: g
    rules:
      - alert: A
        expr: x > 60
        for: 1m
      - alert: B
        expr: y > 1
        for: 5m
"""

    def test_shorten_changes_only_the_named_rule(self):
        text, description, changed = rules.shorten(self.TEXT, "A", 5, 10)
        self.assertEqual(changed, 2)
        self.assertIn("expr: x > 5\n        for: 10s", text)
        self.assertIn("expr: y > 1\n        for: 5m", text)
        self.assertIn("`> 60` → `> 5`", description)

    def test_shorten_picks_one_tier_by_severity(self):
        tiers = self.TEXT.replace("alert: B", "alert: A").replace("for: 1m", "for: 1m\n        labels:\n          severity: warning")
        with self.assertRaises(Exception):
            rules.shorten(tiers, "A", 5, 10)
        text, _, changed = rules.shorten(tiers, "A", None, 10, severity="warning")
        self.assertEqual(changed, 1)
        self.assertIn("expr: y > 1\n        for: 5m", text)

    def test_seconds(self):
        self.assertEqual(rules.seconds("1h30m"), 5400)
        with self.assertRaises(ValueError):
            rules.seconds("5 minutes")


class Grafana(unittest.TestCase):
    def test_prometheus_regex_values_are_escaped_as_grafana_does(self):
        text = grafana.interpolate('up{instance=~"$instance"}', {"instance": ["10.0.0.1:9464", "10.0.0.2:9464"]}, {})
        self.assertEqual(text, 'up{instance=~"(10\\\\.0\\\\.0\\\\.1:9464|10\\\\.0\\\\.0\\\\.2:9464)"}')

    def test_influx_regex_and_builtins(self):
        text = grafana.interpolate('WHERE "s" =~ /^$symbol$/ AND $timeFilter', {"symbol": ["BTC-USDT"]},
                                   grafana.panel_builtins({"timeFrom": "24h"}, "influxdb"))
        self.assertEqual(text, 'WHERE "s" =~ /^BTC-USDT$/ AND time > now() - 1d')

    def test_variable_regex_maps_text_and_value(self):
        found = ['coinflux_build_info{host="proc-0", instance="10.0.0.5:9464", job="j"} 1 0']
        self.assertEqual(grafana.apply_variable_regex('/host="(?<text>[^"]+)".*instance="(?<value>[^"]+)"/', found),
                         [("proc-0", "10.0.0.5:9464")])

    def test_fallbacks_and_addresses_are_rejected(self):
        target = {"refId": "A", "datasource": {"uid": "prometheus"}, "expr": "sum(x) or on() vector(0)",
                  "legendFormat": "{{instance}}"}
        problems = " | ".join(grafana.target_problems("t", target, "prometheus", "prometheus", set()))
        self.assertIn("or vector", problems)
        self.assertIn("scrape address", problems)


class Kubernetes(unittest.TestCase):
    def test_workload_rules(self):
        container = {"name": "p", "args": ["process"], "livenessProbe": {"httpGet": {"path": "/healthz"}},
                     "readinessProbe": {"httpGet": {"path": "/metrics"}}, "resources": {"requests": {"memory": "1Mi"}}}
        statefulset = {"kind": "StatefulSet", "metadata": {"name": "coinflux-processor"},
                       "spec": {"selector": {"matchLabels": {"a": "b"}},
                                "template": {"spec": {"containers": [container], "terminationGracePeriodSeconds": 10,
                                                      "securityContext": {"runAsUser": 10001},
                                                      "volumes": [{"name": "t", "secret": {"defaultMode": 0o400}}]}}}}
        problems = " | ".join(kubernetes.workload_problems([statefulset]))
        for expected in ("readiness /readyz", "memory request and limit", "static membership",
                         "terminationGracePeriodSeconds", "unreadable by a non-root user", "no PodDisruptionBudget",
                         "symbols leave partitions"):
            self.assertIn(expected, problems)

    def test_crd_structure(self):
        monitor = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "m"},
                   "spec": {"selector": {"matchLabels": {"app": "other"}}, "endpoints": [{"port": "metrics", "bogus": 1}]}}
        scaled = {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "s"},
                  "spec": {"scaleTargetRef": {"kind": "StatefulSet", "name": "missing"}, "minReplicaCount": 2,
                           "maxReplicaCount": 10, "triggers": [{"type": "kafka"}]}}
        problems = " | ".join(kubernetes.crd_problems([monitor, scaled]))
        for expected in ("selects Services []", "unexpected field(s) ['bogus']", "which is not rendered",
                         "not within 1..6", "a trigger without type or metadata"):
            self.assertIn(expected, problems)


class Catalogue(unittest.TestCase):
    def test_metric_names_skip_recording_rules_and_prefixes(self):
        self.assertEqual(catalogue.metric_names("coinflux_job:replicas:expected coinflux_consumer_lag_* "
                                                "rate(coinflux_feed_frames_total[5m])"),
                         {"coinflux_feed_frames_total"})


def run():
    suite = unittest.defaultTestLoader.loadTestsFromModule(__import__(__name__, fromlist=["*"]))
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1
