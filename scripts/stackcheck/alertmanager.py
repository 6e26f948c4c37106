"""Client of the Alertmanager v2 API."""

from .httpclient import QueryError, get_json, request


class Alertmanager:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def alerts(self):
        """Alerts Alertmanager holds that are not resolved (active, suppressed or unprocessed)."""
        return get_json(f"{self.url}/api/v2/alerts")

    def post(self, alerts):
        """Sends alerts as Prometheus would (a list of {labels, annotations, startsAt?, endsAt?})."""
        status, body = request("POST", f"{self.url}/api/v2/alerts", alerts)
        if status != 200:
            raise QueryError(f"POST /api/v2/alerts: HTTP {status}: {body[:300]!r}")

    def ready(self):
        return request("GET", f"{self.url}/-/ready", timeout=5)[0] == 200
