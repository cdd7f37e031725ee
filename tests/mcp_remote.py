"""A real remote MCP server for tests: the SDK's MCPServer over streamable HTTP on uvicorn
(127.0.0.1, a free port), behind a bearer-token check that counts the requests it receives."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

TOKEN = "mcp_remoteToken0123456789abcdef"


class RemoteServer:
    """An MCP server with three tools behind a token check (a bearer token, or ``?key=``);
    ``hits`` counts the HTTP requests that reached it, ``seen`` keeps their Authorization
    headers; while ``down`` is set it answers every request 503."""

    def __init__(self) -> None:
        self.hits = 0
        self.seen: list[str | None] = []
        self.down = False
        self.accepts = self.bearer
        mcp = MCPServer("remote")

        @mcp.tool()
        def add(a: int, b: int) -> int:
            """Add two integers."""
            return a + b

        @mcp.tool()
        def whoami() -> str:
            """Echo the Authorization header the server received (as a debugging proxy might)."""
            return f"you sent {self.seen[-1]}"

        @mcp.tool()
        def unlock(door: str) -> str:
            """Always fails."""
            raise ToolError(f"the {door} door is locked")

        self.app = mcp.streamable_http_app(stateless_http=True, json_response=True)

    @staticmethod
    def bearer(authorization: str | None) -> bool:
        return authorization == f"Bearer {TOKEN}"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.hits += 1
            auth = dict(scope["headers"]).get(b"authorization")
            self.seen.append(auth.decode() if auth else None)
            if self.down:
                await send({"type": "http.response.start", "status": 503, "headers": []})
                await send({"type": "http.response.body", "body": b"maintenance"})
                return
            keyed = f"key={TOKEN}".encode() in scope.get("query_string", b"").split(b"&")
            if not (keyed or self.accepts(self.seen[-1])):
                await send({"type": "http.response.start", "status": 401, "headers": []})
                await send({"type": "http.response.body", "body": b"bad token"})
                return
        await self.app(scope, receive, send)


def serve(app: Any) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
