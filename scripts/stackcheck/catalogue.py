"""The metric catalogue (Sources/Telemetry/MetricCatalogue.swift), the public contract the rules
and dashboards are written against, and the checks that keep them in step with it."""

import glob
import re

import yaml

from . import grafana, repo_path

CATALOGUE = repo_path("Sources", "Telemetry", "MetricCatalogue.swift")
NOT_ON_DASHBOARDS = repo_path("grafana", "metrics-not-on-dashboards.yml")

# Metrics the rules and dashboards already use that coinflux does not export yet, with why. A
# name listed here is accepted while it is missing from the catalogue and rejected once it is in
# it (then delete it here), so the list cannot go stale.
PENDING = {}


def definitions(path=CATALOGUE):
    """{name: kind} of every metric in the catalogue."""
    with open(path) as source:
        return dict(re.findall(r'"(coinflux_[a-z0-9_]+)",\s*\.(\w+)', source.read()))


def pending(path=CATALOGUE):
    """The PENDING names still missing from the catalogue."""
    known = definitions(path)
    return {name: why for name, why in PENDING.items() if name not in known}


def known(name, kinds):
    """Whether `name` is a catalogue metric (or a histogram's _bucket/_sum/_count series)."""
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    return name in kinds or (base in kinds and kinds[base] == "histogram")


def metric_names(text):
    """coinflux_* metric names in PromQL or prose; recording rules (with `:`) and name prefixes
    (`coinflux_consumer_lag_*`) left out."""
    return {m.group(1) for m in re.finditer(r"\b(coinflux_[a-z0-9_]*[a-z0-9])\b(?![:*])", text)}


def used_names():
    """{path: set of coinflux_* names} used by rule files and dashboards."""
    used = {}
    for path in glob.glob(repo_path("prometheus", "rules", "*.yml")):
        with open(path) as source:
            used[path] = metric_names(source.read())
    for path in grafana.DASHBOARDS:
        text = "\n".join(grafana.target_text(t) for _, t in grafana.targets(grafana.load(path)))
        used[path] = metric_names(text)
    return used


def name_problems():
    """Names used by rules or dashboards that are neither in the catalogue nor pending."""
    kinds = definitions()
    if not kinds:
        return ["no metric definitions found in MetricCatalogue.swift"]
    problems = [f"scripts/stackcheck/catalogue.py: {name} is in the catalogue now; remove it from PENDING"
                for name in PENDING if name in kinds]
    for path, names in sorted(used_names().items()):
        for name in sorted(names):
            if not known(name, kinds) and name not in PENDING:
                problems.append(f"{path}: {name} is not in MetricCatalogue.swift")
    return problems


def coverage_problems():
    """Catalogue metrics that are on no dashboard panel and not listed, with a reason, in
    grafana/metrics-not-on-dashboards.yml; and listed ones that are on a panel after all."""
    kinds = definitions()
    with open(NOT_ON_DASHBOARDS) as source:
        listed = yaml.safe_load(source) or {}
    on_panels = set()
    for path in grafana.DASHBOARDS:
        for _, target in grafana.targets(grafana.load(path)):
            for name in metric_names(grafana.target_text(target)):
                on_panels.add(name if name in kinds else re.sub(r"_(bucket|sum|count)$", "", name))
    problems = []
    for name in sorted(list(kinds) + list(pending())):
        if name not in on_panels and not str(listed.get(name) or "").strip():
            problems.append(f"{name}: on no dashboard panel and not listed with a reason in "
                            "grafana/metrics-not-on-dashboards.yml")
    for name in sorted(listed):
        if name in on_panels:
            problems.append(f"grafana/metrics-not-on-dashboards.yml: {name} is on a panel; remove it from the list")
        elif name not in kinds and name not in PENDING:
            problems.append(f"grafana/metrics-not-on-dashboards.yml: {name} is not a catalogue metric")
    return problems
