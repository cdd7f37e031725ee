"""MCP client: list or call the tools of a remote MCP server (streamable HTTP only).

Host service contract (``ctx.services["mcp"]``, ``apps.workflows.mcp_client.McpServers``)::

    list_tools(*, url, credential_id, ttl_s, timeout_s) -> (tools, from_cache)
        tools: [{"name", "description", "input_schema"}]
    call_tool(*, url, name, arguments, credential_id, timeout_s) -> Mapping
        {"content": [...], "structured_content": ..., "is_error": bool}

Both raise ``apps.connectors.outbound`` errors. The host connects through the platform's SSRF
policy (a private, loopback or metadata address is refused unless an operator allow-lists it
in ``OUTBOUND_ALLOWLIST``; every connection, a redirect's too, is checked), sends the
``credential_id``'s secret (bearer, API key, basic, OAuth2) to the server's origin only and
scrubs it from what comes back. No process is ever spawned: stdio servers are not supported.

``operation`` ``list_tools`` outputs the tools with their input schemas; the list is cached
for ``cache_ttl_s`` seconds (300 by default, 0 = always ask) per workspace, server URL and
credential. ``call_tool`` calls ``tool`` with ``arguments`` (values may be expressions) and
outputs the result's ``content`` (plus ``text``, its text parts joined, and
``structured_content``); a result the server flags ``isError`` fails the step naming the tool.

Every server is a target of the platform's outbound policies (``mcp:<host>:<port>``): when its
breaker is open after repeated failures, or its rate limit is spent, the step fails at once
with a retryable error saying so and when to come back (a long wait parks the run instead), and
the server is not contacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.catalog._outbound import RetryLater, host_of, parks_when_told_to_wait, timeout_for
from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Policies,
    RetryPolicy,
    register,
)
from apps.connectors.outbound.errors import (
    BlockedDestination,
    CircuitOpen,
    InvalidRequest,
    McpError,
    McpUnauthorized,
    OutboundError,
    OutboundTimeout,
    RateLimited,
)

KEY = "mcp_client"
UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["server_url"],
    "properties": {
        "server_url": {
            "type": "string",
            "minLength": 1,
            "maxLength": 2000,
            "pattern": "^[hH][tT][tT][pP][sS]?://",
            "description": "The server's streamable HTTP endpoint, e.g. https://example.com/mcp",
        },
        "operation": {"enum": ["list_tools", "call_tool"], "default": "call_tool"},
        "tool": {
            "type": "string",
            "maxLength": 200,
            "default": "",
            "description": "The tool to call (call_tool).",
        },
        "arguments": {
            "type": "object",
            "default": {},
            "description": "The tool's arguments (values may be expressions).",
        },
        "credential_id": {"type": ["string", "null"], "pattern": UUID, "default": None},
        "cache_ttl_s": {
            "type": "number",
            "minimum": 0,
            "maximum": 86400,
            "default": 300,
            "description": "Seconds the tool list is reused (0: ask the server every time).",
        },
        "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 300, "default": 30},
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="MCP client",
    category=Category.AI_AGENT,
    icon="server",
    description="List or call the tools of a remote MCP server (streamable HTTP, credential "
    "auth, SSRF-guarded).",
    config_schema=CONFIG_SCHEMA,
    outputs={
        "tools": "array",
        "count": "integer",
        "cached": "boolean",
        "tool": "string",
        "content": "array",
        "text": "string",
        "structured_content": "any",
    },
    # Transient trouble (timeouts, a server that is down) is retried by the engine; a tool
    # call may act, so only twice.
    policies=Policies(
        timeout_s=330, retry=RetryPolicy(max_attempts=2, backoff="exponential", base_s=1.0)
    ),
)


def _service(ctx: BlockContext) -> Any:
    service = ctx.services.get("mcp")
    if service is None:
        raise BlockError(
            f"{KEY}: this host provides no MCP client (ctx.services['mcp'])", code="not_configured"
        )
    return service


def _error(exc: OutboundError, host: str) -> BlockError:
    if isinstance(exc, BlockedDestination):
        return BlockError(
            f"{KEY}: destination {exc.url_host!r} is not allowed ({exc.reason}); private, "
            "loopback and metadata addresses are refused unless an operator adds them to "
            "OUTBOUND_ALLOWLIST",
            code="blocked_destination",
        )
    if isinstance(exc, CircuitOpen):
        return RetryLater(
            f"{KEY}: MCP server {host!r} failed repeatedly; its circuit breaker is open, so it "
            f"was not called (retry in {exc.retry_after:.0f}s)",
            code="circuit_open",
            retry_after=exc.retry_after,
        )
    if isinstance(exc, RateLimited):
        return RetryLater(
            f"{KEY}: the rate limit of MCP server {host!r} is reached (retry in "
            f"{exc.retry_after:.1f}s)",
            code="rate_limited",
            retry_after=exc.retry_after,
        )
    if isinstance(exc, InvalidRequest):
        return BlockError(f"{KEY}: invalid server URL: {exc}", code="invalid_request")
    if isinstance(exc, McpUnauthorized):
        return BlockError(f"{KEY}: {exc}", code="unauthorized")
    if isinstance(exc, McpError):
        return BlockError(f"{KEY}: {exc}", code="mcp_error", retryable=exc.retryable)
    code = "timeout" if isinstance(exc, OutboundTimeout) else "connection_error"
    return BlockError(f"{KEY}: {exc} ({host!r})", code=code, retryable=exc.retryable)


def _text(content: list[Any]) -> str:
    return "\n".join(
        str(part.get("text", ""))
        for part in content
        if isinstance(part, Mapping) and part.get("type") == "text"
    )


@register(SPEC)
@parks_when_told_to_wait
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """One MCP request: the tool list (cached) or one tool call."""
    service = _service(ctx)
    url = str(config["server_url"])
    host = host_of(url)
    credential_id = config.get("credential_id") or None
    timeout = timeout_for(ctx, float(config.get("timeout_s", 30)))
    operation = config.get("operation", "call_tool")
    try:
        if operation == "list_tools":
            tools, cached = service.list_tools(
                url=url,
                credential_id=credential_id,
                ttl_s=float(config.get("cache_ttl_s", 300)),
                timeout_s=timeout,
            )
            return BlockResult(outputs={"tools": tools, "count": len(tools), "cached": cached})
        name = str(config.get("tool") or "")
        if not name:
            raise BlockError(f"{KEY}: call_tool needs a tool name", code="invalid_config")
        arguments = config.get("arguments") or {}
        if not isinstance(arguments, Mapping):
            raise BlockError(f"{KEY}: arguments must be an object", code="invalid_config")
        result = service.call_tool(
            url=url,
            name=name,
            arguments=dict(arguments),
            credential_id=credential_id,
            timeout_s=timeout,
        )
    except OutboundError as exc:
        raise _error(exc, host) from None
    content = list(result.get("content") or [])
    if result.get("is_error"):
        detail = _text(content)[:500] or "no details"
        raise BlockError(
            f"{KEY}: tool {name!r} on {host!r} reported an error: {detail}", code="tool_error"
        )
    return BlockResult(
        outputs={
            "tool": name,
            "content": content,
            "text": _text(content),
            "structured_content": result.get("structured_content"),
        }
    )
