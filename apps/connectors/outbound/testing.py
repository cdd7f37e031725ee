"""Test helpers for code that calls out: a real local HTTP(S) server, a stub resolver, and a
guard that fails a test the moment anything tries to connect beyond the loopback interface.
``LocalServer`` is the one test HTTP server of the repository: every test that plays a
third party (apps/*/tests and tests/) builds on it.

docs/STYLE.md: "a third-party service is played by a local HTTP server speaking its protocol".
Tests reach it through an ``SSRFPolicy`` whose allow-list names the server's exact
``127.0.0.1:<port>``, so everything else stays blocked as in production. Names other than
``localhost`` are mapped with ``StubResolver``: there is no network here, and a test must
never depend on (or send traffic to) a public address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "CountingServer",
    "ExternalConnectionAttempt",
    "LocalServer",
    "Recorded",
    "Reply",
    "StubResolver",
    "connections_guard",
]


@dataclass
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds to wait before answering
    chunked: bool = False  # send without Content-Length, in chunks


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    sni: str | None = None

    def header(self, name: str) -> str | None:
        """A request header by name, whatever its case."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


Handler = Callable[[Recorded], Reply]


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with scripted routes.

    ``route(path, reply, reply, ...)`` answers successive calls with successive replies (the
    last one repeats); ``route(path, handler)`` calls ``handler(recorded) -> Reply``. Every
    request is kept in ``requests``; ``default`` answers paths without a route (404 when
    absent). Pass ``tls`` (a server ``SSLContext``) for HTTPS; the SNI name each connection
    sent is recorded.
    """

    def __init__(
        self, *, tls: ssl.SSLContext | None = None, default: Handler | None = None
    ) -> None:
        self.requests: list[Recorded] = []
        self._default = default
        self._routes: dict[str, Handler | list[Reply]] = {}
        self._lock = threading.Lock()
        self._tls = tls
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.sni_names: list[str | None] = []

    # -- configuration ------------------------------------------------------------------

    def route(self, path: str, *replies: Reply | Handler) -> LocalServer:
        if len(replies) == 1 and callable(replies[0]):
            self._routes[path] = replies[0]
        else:
            scripted = [r for r in replies if isinstance(r, Reply)]
            if len(scripted) != len(replies) or not scripted:
                raise ValueError("route() takes one handler or one or more Reply objects")
            self._routes[path] = scripted
        return self

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        server.daemon_threads = True
        if self._tls is not None:
            context = self._tls

            def remember_sni(sock: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
                self.sni_names.append(name)

            context.sni_callback = remember_sni
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- request handling -----------------------------------------------------------------

    def _next_reply(self, recorded: Recorded) -> Reply:
        path = recorded.path.split("?", 1)[0]
        with self._lock:
            self.requests.append(recorded)
            route = self._routes.get(path, self._default)
            if route is None:
                return Reply(404, body=b"no route")
            if isinstance(route, list):
                return route.pop(0) if len(route) > 1 else route[0]
        return route(recorded)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One buffered write per response (flushed by handle_one_request): separate
            # header and body segments would meet delayed ACKs and cost ~40 ms each.
            wbufsize = -1
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                sni = None
                if isinstance(self.connection, ssl.SSLSocket):
                    sni = outer.sni_names[-1] if outer.sni_names else None
                recorded = Recorded(
                    method=self.command,
                    path=self.path,
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                    sni=sni,
                )
                reply = outer._next_reply(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(reply.body), 8192):
                        chunk = reply.body[start : start + 8192]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                else:
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        return _Handler


class CountingServer:
    """A LocalServer for tests that run workers, started at once (``close()`` stops it).

    Every path answers ``{"path", "ok", "items"}`` as JSON after ``delay`` seconds. Each
    request is counted in ``requests`` as ``(path, Idempotency-Key)``, sets ``hit`` and runs
    ``on_hit(path)`` before the answer (a fault injected by PID); ``max_in_flight`` is the most
    calls answered at once.
    """

    def __init__(self) -> None:
        self.delay = 0.0
        self.on_hit: Callable[[str], None] | None = None
        self.requests: list[tuple[str, str | None]] = []
        self.hit = threading.Event()
        self.in_flight = self.max_in_flight = 0  # calls being answered at once
        self._count = threading.Lock()
        self.server = LocalServer(default=self._answer).__enter__()
        self.url = self.server.url("")

    def _answer(self, recorded: Recorded) -> Reply:
        self.requests.append((recorded.path, recorded.header("Idempotency-Key")))
        self.hit.set()
        if self.on_hit is not None:
            self.on_hit(recorded.path)
        with self._count:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self._count:
            self.in_flight -= 1
        body = json.dumps({"path": recorded.path, "ok": True, "items": [1, 2, 3]}).encode()
        return Reply(200, {"Content-Type": "application/json"}, body)

    def keys(self, path: str) -> Counter[str | None]:
        """How many calls each idempotency key made to ``path``."""
        return Counter(key for p, key in self.requests if p == path)

    def close(self) -> None:
        self.server.__exit__(None, None, None)


class StubResolver:
    """``resolver(host, port)`` answering from a fixed map and recording every lookup."""

    def __init__(self, answers: Mapping[str, Sequence[str]]) -> None:
        self.answers = {name.lower(): list(ips) for name, ips in answers.items()}
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        try:
            return list(self.answers[host.lower()])
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


class ExternalConnectionAttempt(AssertionError):
    """A test tried to open a connection to a non-loopback address."""


@contextlib.contextmanager
def connections_guard() -> Iterator[list[tuple[str, int]]]:
    """Refuse (by failing the test) any socket connect to a non-loopback address.

    Yields the list of (ip, port) connected to, so a test can assert that a blocked request
    opened no connection at all. DNS lookups are not intercepted: route names through a
    ``StubResolver`` instead.
    """
    connected: list[tuple[str, int]] = []
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if isinstance(address, tuple):
            host = str(address[0])
            ip = ipaddress.ip_address(host.split("%", 1)[0])
            if not ip.is_loopback:
                raise ExternalConnectionAttempt(f"test tried to connect to {host}")
            connected.append((host, int(address[1])))

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return original_connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    try:
        yield connected
    finally:
        socket.socket.connect = original_connect
        socket.socket.connect_ex = original_connect_ex
