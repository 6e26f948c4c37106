"""Runs every query of the Grafana dashboards against real servers, as Grafana would.

Grafana itself is not installable on the development machines, so this is how the dashboards
are tested: each InfluxQL target goes to an InfluxDB /query endpoint (1.x, or 2.x through its
v1 API with a DBRP mapping), each PromQL target to Prometheus /api/v1/query, after the same
substitutions Grafana makes (see stackcheck/grafana.py). Alert annotations must run (they may
find nothing). There is no fallback: a panel whose series does not exist fails.

Template variables take the value given on the command line (--exchange, --symbol, or
--var NAME=VALUE; a comma-separated list for several values); otherwise the variable's own
query is run. A panel using a metric that coinflux does not export yet (stackcheck/catalogue.py
PENDING) is named, not failed.

It exits 1 and names every panel (dashboard title and panel title) whose query fails or
returns no data; 2 on bad usage. A data source whose URL is not given is skipped.

Examples:
  scripts/dashboard-queries.py --influx-url http://127.0.0.1:8086 --database market
  scripts/dashboard-queries.py --prometheus-url http://127.0.0.1:9090
  scripts/dashboard-queries.py --influx-url http://localhost:8086 --database market \\
      --influx-token "$INFLUX_TOKEN" --prometheus-url http://localhost:9090 --symbol BTC-KRW
"""

import argparse
import os

from . import catalogue, grafana
from .influx import Influx
from .prometheus import Prometheus


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("dashboards", nargs="*", default=grafana.DASHBOARDS,
                        help="dashboard JSON files (default: grafana/dashboards/*.json)")
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

    runner = grafana.Runner(clients, given, catalogue.pending())
    for path in args.dashboards:
        try:
            runner.check(path)
        except (OSError, ValueError) as error:
            print(f"{path}: cannot read: {error}")
            return 2
    if runner.skipped:
        print(f"\nskipped (no URL given): {', '.join(sorted(s for s in runner.skipped if s))}")
    if runner.failures:
        names = list(dict.fromkeys((dashboard, title) for dashboard, title, _ in runner.failures))
        print(f"\n{len(names)} panel(s) or variable(s) whose query fails or returns no data:")
        for dashboard, title in names:
            print(f"  - {dashboard}: {title}")
        return 1
    print("\nevery query answered with data")
    return 0
