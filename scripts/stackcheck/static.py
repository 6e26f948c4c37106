"""Offline checks of the stack that need Python (scripts/check-stack.sh runs each by name):

  grafana          provisioning files and dashboard JSON: provisioned data source uids, a title and
                   unit on every panel, time-bounded InfluxQL, regex-form variables, alert
                   annotations, no `or vector(…)` fallback, processes named by host, not address
  metric-names     every coinflux_* name in the rules and dashboards is in the metric catalogue
                   (or pending, until it lands: catalogue.PENDING)
  metric-coverage  every catalogue metric is on a dashboard panel or listed, with the reason, in
                   grafana/metrics-not-on-dashboards.yml
  rule-annotations every alert has severity and the annotations summary, description, runbook
  compose          docker-compose config -q for every combination of files and profiles; no topic or
                   bucket fed by two kinds of collector; rotation, limits, grace, replicas, symbols,
                   secrets only from files, .env kept out of git and images
  kubernetes       the PrometheusRule equal to prometheus/rules; every overlay rendered
                   (kubectl kustomize) and validated (kubernetes-validate --strict; the CRDs by hand)
  prometheusrule   (with --write) regenerates deploy/kubernetes/base/prometheusrule.yaml
  selftest         the checkers' own unit tests (they must reject what they exist to reject)

Usage: scripts/stack-checks.py CHECK [--write]   (exit 0 when the check passes)
"""

import sys

from . import catalogue, compose, grafana, kubernetes, rules


def report(problems):
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def rule_annotation_problems():
    problems = []
    for rule in rules.alerting_rules(rules.rule_files()):
        missing = [f"label {k}" for k in ("severity",) if not rule.get("labels", {}).get(k)]
        missing += [f"annotation {k}" for k in ("summary", "description", "runbook") if not rule.get("annotations", {}).get(k)]
        if missing:
            problems.append(f"{rule['alert']}: no {', '.join(missing)}")
    return problems


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    checks = {
        "grafana": lambda: report(grafana.static_problems()),
        "metric-names": lambda: report(catalogue.name_problems()),
        "metric-coverage": lambda: report(catalogue.coverage_problems()),
        "rule-annotations": lambda: report(rule_annotation_problems()),
        "compose": lambda: 1 if compose.check() else 0,
        "kubernetes": lambda: 1 if kubernetes.check() else 0,
        "prometheusrule": lambda: report(kubernetes.prometheus_rule_problems(write="--write" in argv)),
        "selftest": lambda: __import__("stackcheck.selftest", fromlist=["run"]).run(),
    }
    if not argv or argv[0] not in checks:
        print(__doc__)
        return 2
    return checks[argv[0]]()
