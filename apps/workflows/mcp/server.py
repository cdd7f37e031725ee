"""The MCP server (the official ``mcp`` SDK, streamable HTTP only; no stdio, no processes).

Stateless and JSON-answering, so any web replica answers any request and nothing lives in a
process between calls. Every request must carry ``Authorization: Bearer <API token>`` (the
platform's workspace API tokens); the token travels with the request to the handlers, which
run the Django side (``tools.py``) in worker threads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import mcp_types as types
from django.db import connections
from mcp.server.lowlevel.server import Server
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from apps.workflows.mcp import PATH, tools
from apps.workspaces.models import ApiToken
from apps.workspaces.selectors import api_token_authenticate

T = TypeVar("T")
SCOPE_KEY = "flowplane.api_token"  # the ASGI scope key of the authenticated token


async def _django(work: Callable[[], T]) -> T:
    """``work`` (ORM code) in a worker thread, whose connection is closed after it, as Django
    does after each request: a pooled thread must not hold a connection between calls."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    return await anyio.to_thread.run_sync(run)


def _token(ctx: Any) -> ApiToken:
    return ctx.request.scope[SCOPE_KEY]  # set by TokenAuth before the SDK sees the request


async def _list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
    found = await _django(lambda: tools.tool_list(api_token=_token(ctx)))
    return types.ListToolsResult(
        tools=[
            types.Tool(name=t.name, description=t.description, input_schema=t.input_schema)
            for t in found
        ]
    )


async def _call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    api_token, arguments = _token(ctx), dict(params.arguments or {})
    try:
        result = await _django(
            lambda: tools.tool_call(api_token=api_token, name=params.name, arguments=arguments)
        )
    except tools.ToolError as exc:  # the model sees it and may correct itself
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=str(exc))], is_error=True
        )
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(result["output"]))],
        structured_content=result,
    )


class TokenAuth:
    """401 unless the request carries a live API token, which is put into the ASGI scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        api_token = None
        if scheme.lower() == "bearer" and token.strip():
            api_token = await _django(lambda: api_token_authenticate(token=token.strip()))
        if api_token is None or not api_token.user.is_active:
            body = b'{"type": "not_authenticated", "detail": "An API token is required."}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b"Bearer"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app({**scope, SCOPE_KEY: api_token}, receive, send)


def mcp_app() -> ASGIApp:
    """The ASGI app for ``/mcp/`` (its lifespan runs the SDK's session manager)."""
    server: Server[Any] = Server("flowplane", on_list_tools=_list_tools, on_call_tool=_call_tool)
    app = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        # Requests are authenticated by a bearer token a browser never adds on its own, so
        # DNS rebinding gains nothing; Django's ALLOWED_HOSTS still guards the rest.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return TokenAuth(app)
