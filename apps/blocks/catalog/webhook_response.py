"""Webhook response: the HTTP answer of a synchronous webhook (trigger ``response.mode: wait``).

Output contract, read by ``apps.triggers.webhooks.webhook_wait`` from the first succeeded
step of this block in the execution (the rest of the workflow may still be running)::

    {"status": int 100..599, "headers": {str: str}, "body": any JSON value}

A string body is sent as ``text/plain`` and anything else as JSON, unless ``headers`` names a
``Content-Type``. Hop-by-hop and length headers are the server's business and are refused
here at run time (``content-length``, ``transfer-encoding``, ``connection``, ...), as are
header names or values with line breaks, so what the block outputs is what the caller gets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockError, BlockResult, BlockSpec, Category, register

KEY = "webhook_response"
HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$")  # RFC 9110 token
SERVER_HEADERS = frozenset(
    {
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "proxy-connection",
    }
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": {"type": "integer", "minimum": 100, "maximum": 599, "default": 200},
        "headers": {
            "type": "object",
            "default": {},
            "additionalProperties": {"type": "string", "maxLength": 4000},
        },
        "body": {"description": "Any JSON value; a string is sent as text/plain.", "default": None},
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="Webhook response",
    category=Category.WEBHOOK,
    icon="reply",
    description="Answer the webhook that started this run (status, headers, body).",
    config_schema=CONFIG_SCHEMA,
    outputs={"status": "integer", "headers": "object", "body": "json"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Check and pass on the answer; the trigger app sends it."""
    status = config.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise BlockError(
            f"{KEY}: status must be an integer from 100 to 599, got {status!r}",
            code="invalid_config",
        )
    headers: dict[str, str] = {}
    for name, value in (config.get("headers") or {}).items():
        if not HEADER_NAME.match(str(name)):
            raise BlockError(
                f"{KEY}: invalid header name {str(name)[:40]!r}", code="invalid_config"
            )
        if str(name).lower() in SERVER_HEADERS:
            raise BlockError(
                f"{KEY}: header {name!r} is set by the server, not the workflow",
                code="invalid_config",
            )
        text = value if isinstance(value, str) else str(value)
        if "\r" in text or "\n" in text:
            raise BlockError(f"{KEY}: header {name!r} contains a line break", code="invalid_config")
        headers[str(name)] = text
    return BlockResult(outputs={"status": status, "headers": headers, "body": config.get("body")})
