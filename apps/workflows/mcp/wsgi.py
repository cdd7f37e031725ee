"""``/mcp/`` under WSGI (gunicorn): the same ASGI app as ``config/asgi.py`` serves, run by
``a2wsgi``'s ASGIMiddleware on one event loop per process, in a thread of its own.

The SDK's session manager needs the app's lifespan to have started (it holds the task group
every request's transport runs in) and can be started only once per app, so each process
builds one app, runs its lifespan startup once on that loop before the first request, and
its shutdown at exit, as an ASGI server would. All of it happens on the first ``/mcp/``
request of a process (not at import): a process that was forked after importing this
(gunicorn ``--preload``) has no loop thread, and a web worker that never serves ``/mcp/``
never pays for the SDK's import (~30 MiB).

A ``GET`` (the standalone SSE stream a client may open for server-initiated messages) is
answered ``405`` here, as the spec allows: a stateless server never sends anything on it, and
under WSGI the idle stream would hold one of the worker's few threads until the client went
away, so a handful of them would starve the whole web worker, Django included.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from apps.workflows.mcp import is_mcp_path

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 5.0
# After the response is sent, how long the request's thread waits for the app's task to end
# (the stateless transport is terminated right after the response; bounded all the same).
AFTER_RESPONSE_WAIT_S = 10.0


NO_SSE_STREAM = (
    b'{"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": '
    b'"Method Not Allowed: no SSE stream on a stateless server; POST requests"}}'
)


class Lifespan:
    """The ASGI lifespan protocol of ``app``, driven on ``loop`` (another thread's)."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.started = threading.Event()
        self.failure: str | None = None
        self._messages: asyncio.Queue[dict[str, Any]] | None = None
        self.task: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(
            self._run(app), loop
        )

    async def _run(self, app: Any) -> None:
        self._messages = asyncio.Queue()
        self._messages.put_nowait({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        await app(scope, self._messages.get, self._send)

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.failed":
            self.failure = message.get("message") or "lifespan startup failed"
            self.started.set()
        elif message["type"] == "lifespan.startup.complete":
            self.started.set()

    def startup(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not self.started.wait(0.05):
            if self.task.done():
                self.task.result()  # raises what the app raised
                raise RuntimeError("the MCP app's lifespan ended before its startup completed")
            if time.monotonic() > deadline:
                raise RuntimeError("the MCP app's lifespan startup timed out")
        if self.failure is not None:
            raise RuntimeError(self.failure)

    def shutdown(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> None:
        messages = self._messages
        if messages is not None and not self.task.done():
            self.loop.call_soon_threadsafe(messages.put_nowait, {"type": "lifespan.shutdown"})
            with contextlib.suppress(Exception):
                self.task.result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)


class McpWsgi:
    """The WSGI app for ``/mcp/``: one event loop, one MCP app and one lifespan per process,
    made by the process's first ``/mcp/`` request."""

    def __init__(self, build_asgi_app: Callable[[], Any] | None = None) -> None:
        self._build = build_asgi_app
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._app: WSGIApp | None = None

    def _start(self) -> WSGIApp:
        from a2wsgi import ASGIMiddleware

        build = self._build
        if build is None:
            from apps.workflows.mcp.server import mcp_app as build
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="mcp-event-loop", daemon=True).start()
        asgi_app = build()
        lifespan = Lifespan(asgi_app, loop)
        try:
            lifespan.startup()
        except BaseException:
            lifespan.shutdown(timeout=1)
            raise
        atexit.register(lifespan.shutdown)
        logger.info("MCP app started in process %s", os.getpid())
        return ASGIMiddleware(asgi_app, wait_time=AFTER_RESPONSE_WAIT_S, loop=loop)

    def app(self) -> WSGIApp:
        pid = os.getpid()
        if self._pid != pid:  # first request of this process (or of a forked child)
            with self._lock:
                if self._pid != pid:
                    self._app = self._start()
                    self._pid = pid
        assert self._app is not None
        return self._app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET":
            start_response(
                "405 Method Not Allowed",
                [
                    ("Content-Type", "application/json"),
                    ("Allow", "POST, DELETE"),
                    ("Content-Length", str(len(NO_SSE_STREAM))),
                ],
            )
            return [NO_SSE_STREAM]
        return self.app()(environ, start_response)


def with_mcp(django_application: WSGIApp, mcp: McpWsgi | None = None) -> WSGIApp:
    """``django_application``, except ``/mcp/``, which goes to the MCP app."""
    mcp_application = mcp or McpWsgi()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if is_mcp_path(environ.get("PATH_INFO", "")):
            return mcp_application(environ, start_response)
        return django_application(environ, start_response)

    return application
