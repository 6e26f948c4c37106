"""Client of InfluxDB's /query endpoint (InfluxQL; 1.x, or 2.x through its v1 API with a token)."""

import json
import urllib.parse

from .httpclient import QueryError, get_json, request


class Influx:
    def __init__(self, url, database, token=None):
        self.url = url.rstrip("/")
        self.database = database
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def answer(self, text, database=None):
        """The parsed answer of a read query; QueryError on any error in it."""
        params = {"db": self.database if database is None else database, "q": text, "epoch": "ms"}
        answer = get_json(f"{self.url}/query", params, self.headers)
        if answer.get("error"):
            raise QueryError(answer["error"])
        for result in answer.get("results", []):
            if result.get("error"):
                raise QueryError(result["error"])
        return answer

    def execute(self, statement):
        """Runs a statement that changes something (CREATE/DROP DATABASE …) with POST, as 1.x requires."""
        body = urllib.parse.urlencode({"q": statement})
        status, raw = request("POST", f"{self.url}/query", body, self.headers)
        if status != 200:
            raise QueryError(f"{statement}: HTTP {status} {raw[:200]!r}")
        answer = json.loads(raw)
        errors = [r["error"] for r in answer.get("results", []) if r.get("error")]
        if errors:
            raise QueryError(f"{statement}: {errors[0]}")

    def series(self, text):
        """Every series of the answer: (name, tags, columns, rows)."""
        for result in self.answer(text).get("results", []):
            for series in result.get("series", []) or []:
                yield series.get("name"), series.get("tags") or {}, series.get("columns") or [], series.get("values") or []

    def series_tags(self, text, *keys):
        """The set of tag tuples (`keys`) of the series a GROUP BY query answers with."""
        return {tuple(tags.get(key) for key in keys) for _, tags, _, _ in self.series(text)}

    # ── what Grafana needs ──

    def query(self, text):
        """Runs a query that may find nothing (an annotation, an event table); QueryError on an error."""
        self.answer(text)

    def variable_values(self, text):
        # SHOW TAG VALUES answers (key, value) rows; other queries: the last column.
        return [str(row[-1]) for _, _, _, rows in self.series(text) for row in rows if row and row[-1] is not None]

    def missing_data(self, text):
        """Why Grafana would draw nothing for this query (None: it has data); raises QueryError."""
        columns = {}        # column name -> whether any row has a value in it
        rows = 0
        for _, _, names, values in self.series(text):
            for row in values:
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
