#!/usr/bin/env python3
"""A stand-in notification target for Alertmanager's webhook receivers.

It accepts Alertmanager's webhook POSTs on every path (/, /pager, /operators, /market, /watchdog)
and prints one line per alert, so `docker compose logs -f alert-webhook` shows what would have been
sent. Replace the receivers' URLs in alertmanager.yml with a real service for production.
The live stack test (scripts/stackcheck/webhook.py) serves the same handler and records instead.

Usage: webhook-sink.py [PORT]   (default 5001; standard library only)
"""

import json
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(on_notification):
    """A request handler class that calls on_notification(path, payload) for every webhook POST."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length))
            except ValueError:
                self._reply(400, b"not JSON\n")
                return
            on_notification(self.path, payload)
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
            pass  # one line per alert is enough

    return Handler


def print_notification(path, payload):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for alert in payload.get("alerts", []):
        labels = alert.get("labels", {})
        summary = alert.get("annotations", {}).get("summary", "")
        print(f"{now} {path} {alert.get('status', '?').upper():8} "
              f"{labels.get('alertname', '?')} [{labels.get('severity', '-')}] {summary} "
              f"{json.dumps(labels, sort_keys=True)}", flush=True)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5001
    print(f"alert-webhook: listening on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), make_handler(print_notification)).serve_forever()
