"""The WSGI side of /mcp/ (apps/workflows/mcp/wsgi.py) with a stand-in ASGI app: the dispatch,
one app and one lifespan startup per process, a failed startup. tests/test_mcp_server.py
drives the real one through gunicorn."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from apps.workflows.mcp.wsgi import Lifespan, McpWsgi, with_mcp


class StandIn:
    """An ASGI app that counts lifespan startups and answers every request with its path."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.startups = self.shutdowns = 0

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if self.fail:
                        await send({"type": "lifespan.startup.failed", "message": "no manager"})
                        return
                    self.startups += 1
                    await send({"type": "lifespan.startup.complete"})
                else:
                    self.shutdowns += 1
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = (await receive())["body"]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": scope["path"].encode() + body})


def call(app: Any, path: str, body: bytes = b"", method: str = "POST") -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    started: list[str] = []
    chunks = b"".join(app(environ, lambda status, headers, exc_info=None: started.append(status)))
    return started[0], chunks


def django(environ, start_response):  # type: ignore[no-untyped-def]
    start_response("404 Not Found", [])
    return [b"django " + environ["PATH_INFO"].encode()]


def test_mcp_paths_go_to_the_mcp_app_and_the_rest_to_django():
    stand_in = StandIn()
    app = with_mcp(django, McpWsgi(lambda: stand_in))

    assert call(app, "/mcp/", b"{}") == ("200 OK", b"/mcp/{}")
    assert call(app, "/mcp") == ("200 OK", b"/mcp")
    assert call(app, "/mcpx") == ("404 Not Found", b"django /mcpx")
    assert call(app, "/api/v1/workflows/") == ("404 Not Found", b"django /api/v1/workflows/")


def test_one_app_and_one_lifespan_per_process_started_by_its_first_mcp_request():
    built: list[StandIn] = []

    def build() -> StandIn:
        built.append(StandIn())
        return built[-1]

    mcp = McpWsgi(build)
    app = with_mcp(django, mcp)
    call(app, "/health")
    assert built == []  # nothing before the first /mcp/ request
    for _ in range(3):
        assert call(app, "/mcp/")[0] == "200 OK"
    assert len(built) == 1 and built[0].startups == 1
    first = mcp.app()

    mcp._pid = os.getpid() + 1  # as in a child forked after the first request
    assert call(app, "/mcp/")[0] == "200 OK"
    assert len(built) == 2 and built[1].startups == 1
    assert mcp.app() is not first


def test_a_failed_lifespan_startup_is_raised_and_retried_by_the_next_request():
    mcp = McpWsgi(lambda: StandIn(fail=True))
    with pytest.raises(RuntimeError, match="no manager"):
        call(with_mcp(django, mcp), "/mcp/")
    assert mcp._app is None and mcp._pid is None


def test_the_lifespan_shuts_down_on_its_loop_and_stops_it():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    stand_in = StandIn()
    lifespan = Lifespan(stand_in, loop)
    lifespan.startup()
    lifespan.shutdown()
    thread.join(5)
    assert (stand_in.startups, stand_in.shutdowns, thread.is_alive()) == (1, 1, False)
    loop.close()


def test_the_wsgi_entry_point_does_not_import_the_sdk_until_mcp_is_served():
    code = (
        "import sys, config.wsgi; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'mcp', 'a2wsgi'}))"
    )
    out = subprocess.run(  # noqa: S603 (fixed code)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip() == "[]"


def test_a_get_is_refused_without_opening_a_stream_that_would_hold_a_thread():
    built: list[StandIn] = []
    app = with_mcp(django, McpWsgi(lambda: built.append(StandIn()) or built[-1]))

    status, body = call(app, "/mcp/", method="GET")
    assert status == "405 Method Not Allowed"
    assert b"no SSE stream" in body
    assert built == []  # answered before the MCP app
