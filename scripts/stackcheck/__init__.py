"""Checks of the coinflux stack (Prometheus, Alertmanager, Grafana, compose, Kubernetes).

One package for the offline checks (`scripts/stack-checks.py`, run by `scripts/check-stack.sh`),
the live stack test (`scripts/stack-test.py`) and the dashboard query runner
(`scripts/dashboard-queries.py`). Standard library only, plus PyYAML for the YAML files.

Modules: `processes` (what a test starts), `httpclient` and the clients `prometheus`, `alertmanager`,
`influx`, `webhook`; `rules` (rule files and Alertmanager routes), `grafana` (dashboards: static
checks and Grafana's variable substitution), `catalogue` (the metric catalogue), `compose`,
`partitions`, `kubernetes`; the entry points `static`, `stacktest` and `dashboard_queries`.
"""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def repo_path(*parts):
    """A path inside the repository."""
    return os.path.join(REPO, *parts)
