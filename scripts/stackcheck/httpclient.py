"""The one HTTP helper the clients share (urllib, no dependencies)."""

import json
import urllib.error
import urllib.parse
import urllib.request


class QueryError(Exception):
    """A request that the server refused, could not answer, or answered with something unreadable."""


def request(method, url, data=None, headers=None, timeout=10):
    """(status, body bytes) of a request; HTTP error statuses are returned, not raised.
    `data` may be bytes, a str (sent form-encoded) or a dict/list (sent as JSON)."""
    headers = dict(headers or {})
    if isinstance(data, (dict, list)):
        data = json.dumps(data).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(data, str):
        data = data.encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url, params=None, headers=None, timeout=15):
    """The JSON answer of a GET; QueryError on an error status, an unreachable server or non-JSON."""
    if params:
        url = f"{url}?{urllib.parse.urlencode(params, doseq=True)}"
    try:
        status, body = request("GET", url, headers=headers, timeout=timeout)
    except (urllib.error.URLError, OSError) as error:
        raise QueryError(f"cannot reach {url.split('?')[0]}: {error}") from None
    if status != 200:
        text = body.decode("utf-8", "replace")
        try:
            text = json.loads(text).get("error") or text
        except (ValueError, AttributeError):
            pass
        raise QueryError(f"HTTP {status}: {str(text).strip()[:300]}")
    try:
        return json.loads(body)
    except ValueError as error:
        raise QueryError(f"answer is not JSON: {error}") from None
