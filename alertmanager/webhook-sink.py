#!/usr/bin/env python3
"""A stand-in notification target for Alertmanager's webhook receivers.

It accepts Alertmanager's webhook POSTs on every path (/, /pager, /operators, /market) and
prints one line per alert, so `docker compose logs -f alert-webhook` shows what would have been
sent. Replace the receivers' URLs in alertmanager.yml with a real service for production.

Usage: webhook-sink.py [PORT]   (default 5001; standard library only)
"""

import json
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            payload = json.loads(body)
        except ValueError:
            self._reply(400, b"not JSON\n")
            return
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for alert in payload.get("alerts", []):
            labels = alert.get("labels", {})
            summary = alert.get("annotations", {}).get("summary", "")
            print(f"{now} {self.path} {alert.get('status', '?').upper():8} "
                  f"{labels.get('alertname', '?')} [{labels.get('severity', '-')}] {summary} "
                  f"{json.dumps(labels, sort_keys=True)}", flush=True)
        self._reply(200, b"ok\n")

    def do_GET(self):
        # Health check: GET / answers 200.
        self._reply(200, b"alert-webhook sink\n")

    def _reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # one line per alert above is enough


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5001
    print(f"alert-webhook: listening on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
