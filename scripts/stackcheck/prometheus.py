"""Client of the Prometheus HTTP API (instant queries, alerts, targets, rules, label values)."""

import re

from .httpclient import QueryError, get_json


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def _data(self, path, params=None):
        answer = get_json(f"{self.url}{path}", params)
        if answer.get("status") != "success":
            raise QueryError(answer.get("error") or f"status {answer.get('status')}")
        return answer["data"]

    def query(self, expr):
        """The result list of an instant query (a scalar or string result as a one-item list)."""
        data = self._data("/api/v1/query", {"query": expr})
        result = data.get("result")
        if data.get("resultType") in ("scalar", "string"):
            return [result]
        return result or []

    def scalar(self, expr):
        """The first sample's value as a float, or None without samples."""
        result = self.query(expr)
        if not result:
            return None
        sample = result[0]
        return float(sample["value"][1] if isinstance(sample, dict) else sample[1])

    def alerts(self):
        return self._data("/api/v1/alerts")["alerts"]

    def targets(self):
        return self._data("/api/v1/targets")["activeTargets"]

    def rules(self):
        return [rule for group in self._data("/api/v1/rules")["groups"] for rule in group["rules"]]

    def label_values(self, label, selector=None):
        return sorted(self._data(f"/api/v1/label/{label}/values", {"match[]": selector} if selector else None))

    def series_strings(self, expr):
        """Grafana's query_result(expr): one `name{labels} value timestamp` string per series,
        labels sorted by name."""
        lines = []
        for sample in self.query(expr):
            if not isinstance(sample, dict):
                continue
            labels = dict(sample["metric"])
            name = labels.pop("__name__", "")
            pairs = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            timestamp, value = sample["value"]
            lines.append(f"{name}{{{pairs}}} {value} {int(float(timestamp) * 1000)}")
        return lines

    # ── what Grafana needs ──

    def variable_values(self, text):
        """Values of a Grafana query variable: label_values(label), label_values(selector, label),
        query_result(expr) (whole series strings), or any query (its samples' values)."""
        match = re.fullmatch(r"\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*", text)
        if match:
            selector, label = match.groups()
            return self.label_values(label, selector)
        match = re.fullmatch(r"\s*query_result\((.+)\)\s*", text, re.S)
        if match:
            return self.series_strings(match.group(1))
        return [sample["value"][1] for sample in self.query(text) if isinstance(sample, dict)]

    def missing_data(self, expr):
        """Why Grafana would draw nothing for this query (None: it has data); raises QueryError."""
        samples = self.query(expr)
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
