"""A third party that answers 429 or never answers, called from a real worker: each run ends
within a bound, retries stay under one idempotency key, a healthy run queued behind them
succeeds. And one that sends its body a byte at a time: the client's total deadline holds."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.connectors.outbound.client import OutboundClient
from apps.connectors.outbound.errors import OutboundTimeout
from apps.connectors.outbound.ssrf import SSRFPolicy
from apps.workflows.models import Execution
from apps.workflows.runtime.sweep import execution_sweep
from apps.workflows.services import execution_create
from tests.reliability.harness import WORKER_ENV, all_finished, node, published
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]


class BadPeer:
    """/429 answers 429 with Retry-After: 1; /never reads the request and never answers;
    /drip sends its headers, then one byte every `drip` seconds for 60 bytes; /ok answers."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()
        self.stop = threading.Event()
        self.drip = 1.0
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                peer.calls[(self.path, self.headers.get("Idempotency-Key"))] += 1
                if self.path == "/429":
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/never":
                    peer.stop.wait(60)
                elif self.path == "/drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "60")
                    self.end_headers()
                    for _ in range(60):
                        if peer.stop.wait(peer.drip):
                            return
                        try:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                        except OSError:
                            return
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _graph(url: str) -> dict:
    return {
        "nodes": [
            node("start", "manual_trigger"),
            node(
                "call",
                "http_request",
                url=url,
                method="POST",
                timeout_s=1,
                idempotency_header="Idempotency-Key",
            ),
        ],
        "edges": [{"id": "e", "source": "start", "target": "call"}],
    }


def test_429_silence_and_a_trickle_end_each_run_within_a_bound(user, workspace):
    peer = BadPeer()
    peer.drip = 0.5  # each byte within the 1 s read timeout: 30 s for the body
    runs = {}
    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        for path in ("/429", "/never", "/drip", "/ok"):
            workflow = published(workspace, user, _graph(f"{peer.url}{path}"))
            runs[path] = execution_create(workflow=workflow, mode="api", input={}).pk
        started = time.monotonic()
        execution_sweep()
        wait_for(
            lambda: all_finished(list(runs.values())) or (execution_sweep() and False),
            timeout=120,
            interval=1,
        )
        took = time.monotonic() - started
    finally:
        stop_worker(worker, hard=True)
        peer.close()

    done = {path: Execution.objects.get(pk=pk) for path, pk in runs.items()}
    print(
        {
            p: (e.status, (e.error or {}).get("code"), e.finished_at - e.started_at)
            for p, e in done.items()
        },
        dict(peer.calls),
        round(took, 1),
    )  # -rP
    assert done["/ok"].status == "succeeded"
    for path in ("/429", "/never", "/drip"):
        execution = done[path]
        assert execution.status == "failed", (path, execution.error)
        keys = {key for (p, key) in peer.calls if p == path}
        assert keys == {f"{execution.pk}:call"}, (path, peer.calls)  # one key, never none
        assert peer.calls[(path, f"{execution.pk}:call")] <= 3, (path, peer.calls)
        # 3 attempts of a 1 s timeout (or a 429) and short back-offs; the trickle too.
        assert (execution.finished_at - execution.started_at).total_seconds() < 15, path
    assert took < 60, took


def test_a_body_sent_a_byte_at_a_time_stops_at_the_total_deadline():
    """Each byte arrives within the read timeout, so only the total deadline can stop the
    call; it used to be checked only between 64 KiB chunks (the call lasted until the body
    ended: 15 s here)."""
    peer = BadPeer()
    peer.drip = 0.25
    client = OutboundClient(SSRFPolicy(allowlist="127.0.0.1"), timeout=1.0, total_timeout=3.0)
    started = time.monotonic()
    try:
        with pytest.raises(OutboundTimeout, match="total deadline"):
            client.request("GET", f"{peer.url}/drip")
    finally:
        peer.close()
    assert time.monotonic() - started < 4.5
