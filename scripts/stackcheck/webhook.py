"""Alertmanager's webhook receivers inside a test: alertmanager/webhook-sink.py's handler,
recording every notification instead of printing it."""

import importlib.util
import threading
import time
from http.server import ThreadingHTTPServer

from . import repo_path


def _sink_module():
    spec = importlib.util.spec_from_file_location("webhook_sink", repo_path("alertmanager", "webhook-sink.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class WebhookSink:
    """Serves on a free loopback port; `notifications` holds (received at, path, payload)."""

    def __init__(self):
        self.notifications = []
        self.lock = threading.Lock()

        def record(path, payload):
            with self.lock:
                self.notifications.append((time.time(), path, payload))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _sink_module().make_handler(record))
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def find(self, path, status, alertname, **labels):
        """(time, alert) of the first notification to `path` carrying a matching alert, or None."""
        with self.lock:
            for received, where, payload in self.notifications:
                if where != path:
                    continue
                for alert in payload.get("alerts", []):
                    have = alert.get("labels", {})
                    if alert.get("status") == status and have.get("alertname") == alertname \
                            and all(have.get(k) == v for k, v in labels.items()):
                        return received, alert
        return None

    def wait_for(self, deadline, path, status, alertname, **labels):
        """find() until it answers or `deadline` (epoch seconds) has passed; it looks at least once."""
        found = self.find(path, status, alertname, **labels)
        while not found and time.time() < deadline:
            time.sleep(0.5)
            found = self.find(path, status, alertname, **labels)
        return found

    def alertnames(self, since=0):
        with self.lock:
            return sorted({(where, a.get("status"), a.get("labels", {}).get("alertname"))
                           for received, where, payload in self.notifications if received >= since
                           for a in payload.get("alerts", [])})

    def close(self):
        self.server.shutdown()
        self.server.server_close()
