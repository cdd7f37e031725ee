"""Sentry: a real Django process with SENTRY_DSN set reports to a local server speaking
Sentry's envelope protocol; the canary secrets of tests/test_secrets_leak.py appear in the
request, the exception, a log line and its fields, and nowhere in what arrives."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from tests.test_secrets_leak import API_KEY, PASSWORD, TOKEN, assert_clean
from tests.worker import run_django_script


class SentryServer(LocalServer):
    """Accepts POST /api/<project>/envelope/ like Sentry does and keeps the items."""

    def __init__(self) -> None:
        super().__init__(default=self._envelope)
        self.items: list[tuple[dict, bytes]] = []
        self.paths: list[str] = []

    def _envelope(self, recorded: Recorded) -> Reply:
        raw = recorded.body
        encoding = recorded.header("Content-Encoding") or ""
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        self.paths.append(recorded.path)
        self.items.extend(_envelope_items(raw))
        return Reply(200, {"Content-Type": "application/json"}, b"{}")

    def events(self) -> list[dict]:
        return [
            json.loads(payload) for header, payload in self.items if header.get("type") == "event"
        ]


def _envelope_items(raw: bytes) -> list[tuple[dict, bytes]]:
    """An envelope: a header line, then per item a header line and its payload (the
    payload's length in the item header, or up to the next newline)."""
    _, _, rest = raw.partition(b"\n")
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        header = json.loads(line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


@pytest.fixture
def sentry_server():
    with SentryServer() as server:
        yield server


SCRIPT = f"""
import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.urls import clear_url_caches, path
from django.views.decorators.csrf import csrf_exempt

from config import urls


@csrf_exempt
def boom(request):
    api_key = {API_KEY!r}  # a local variable named like a secret
    raise RuntimeError("upstream refused Authorization: Bearer {TOKEN} for "
                       "https://flows:{PASSWORD}@api.example.com/v1?api_key={API_KEY}&page=2")


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


urls.urlpatterns.insert(0, path("boom", boom))
clear_url_caches()
# The production entrypoint (WSGI) on a real port.
server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
response = requests.post(
    f"http://127.0.0.1:{{server.server_port}}/boom?access_token={TOKEN}&page=1",
    data={{"password": {PASSWORD!r}, "note": "hi"}},
    headers={{"Authorization": "Bearer {API_KEY}", "X-Api-Key": {API_KEY!r},
             "X-Hub-Signature-256": "sha256=" + "ab" * 32, "Cookie": "sessionid={TOKEN}",
             "X-Request-ID": "sentry-req-1"}}, timeout=30)
assert response.status_code == 500, response.status_code
logging.getLogger("apps.credentials").error(
    "token refresh failed for client_secret={PASSWORD}",
    extra={{"client_secret": {PASSWORD!r}, "credential_id": "c-1"}})
sentry_sdk.flush(10)
server.shutdown()
print("sent")
"""


def test_events_reach_sentry_without_a_secret(sentry_server):
    output = run_django_script(
        SCRIPT,
        SENTRY_DSN=f"http://publickey@127.0.0.1:{sentry_server.port}/42",
        SENTRY_ENVIRONMENT="ci",
    )
    assert "sent" in output
    assert sentry_server.paths and all(p == "/api/42/envelope/" for p in sentry_server.paths)
    events = sentry_server.events()
    crash = next(e for e in events if e.get("exception"))
    report = next(e for e in events if e.get("logentry") or e.get("message"))
    # What is needed to act on them is there...
    value = crash["exception"]["values"][-1]
    assert value["type"] == "RuntimeError" and crash["environment"] == "ci"
    assert crash["request"]["url"].endswith("/boom")
    assert crash["request"]["method"] == "POST"
    headers = crash["request"]["headers"]
    assert headers["X-Request-Id"] == "sentry-req-1"
    # Removed by the SDK ("", noted in _meta) or by our scrubber.
    assert {
        headers[name]
        for name in ("X-Api-Key", "X-Hub-Signature-256", "Authorization", "Cookie")
        if name in headers
    } <= {"", "[Filtered]"}
    assert "upstream refused Authorization: Bearer [Filtered]" in value["value"]
    assert "https://flows:[Filtered]@api.example.com/v1?api_key=[Filtered]&page=2" in value["value"]
    assert report["level"] == "error" and report["logger"] == "apps.credentials"
    assert report["extra"]["credential_id"] == "c-1"
    # ...and no secret, in any form, anywhere in what arrived.
    for header, payload in sentry_server.items:
        assert_clean(payload.decode(), f"the Sentry item {header.get('type')}")
