"""HTTP request: call any URL through the platform's guarded outbound client.

The request goes through ``ctx.http`` (SSRF guard applied to the resolved address, every
redirect re-checked, size cap, per-target breaker and rate limit); a refused destination is
a non-retryable ``blocked_destination`` error naming the host. A ``credential_id`` is
injected by the host's secrets port (``ctx.secrets.request`` when it has one, which refreshes
an expired OAuth token once; else ``ctx.secrets.auth_for``) and only sent to the origin
addressed.

Body: ``body_type`` ``json`` (any JSON value), ``form`` (an object, URL-encoded) or ``raw``
(a string sent as is, with ``content_type``). Response: ``response_format`` ``auto`` (JSON
when the server says so, else text), ``json``, ``text`` or ``binary``. Binary bodies are
returned inline as ``{"base64", "size", "content_type"}`` and capped at
``max_binary_bytes`` (1 MiB by default, 8 MiB at most) because outputs are stored with the
execution; larger downloads should be fetched by a connector that streams to storage.

``fail_on_status`` (default true): a non-2xx answer is a step error carrying the status and
a body snippet, retryable for 5xx, 408 and 429; false outputs it like any answer (``ok`` is
then false) so the graph can branch on ``status``. ``idempotency_header`` (e.g.
``Idempotency-Key``) sends the step's stable idempotency key, so a redelivered step is
recognised by providers that support it.

A 429/503 with a ``Retry-After`` longer than a few seconds (or the client's own rate limit or
open breaker saying the same) parks the run until then instead of holding a worker; the
step runs again on wake-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.blocks.catalog import _outbound
from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Policies,
    RetryPolicy,
    UiHint,
    register,
)
from apps.connectors.outbound import BlockedDestination

KEY = "http_request"
MAX_BINARY = 8 * 1024 * 1024
SCALAR = {"type": ["string", "number", "integer", "boolean"]}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url"],
    "properties": {
        "method": {
            "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
            "default": "GET",
        },
        "url": {
            "type": "string",
            "minLength": 1,
            "maxLength": 8000,
            "description": "http(s) URL; query parameters may also go in 'query'.",
        },
        "query": {
            "type": "object",
            "default": {},
            "additionalProperties": {
                "anyOf": [SCALAR, {"type": "array", "items": SCALAR}, {"type": "null"}]
            },
        },
        "headers": {"type": "object", "default": {}, "additionalProperties": {"type": "string"}},
        "body_type": {"enum": ["none", "json", "form", "raw"], "default": "none"},
        "body": {"description": "JSON value (json), object (form) or string (raw)."},
        "content_type": {
            "type": "string",
            "maxLength": 200,
            "description": "Content-Type of a raw body.",
        },
        "credential_id": {"type": ["string", "null"], "default": None},
        "timeout_s": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 300,
            "default": 30,
            "description": "Seconds for one attempt, the whole body included.",
        },
        "response_format": {"enum": ["auto", "json", "text", "binary"], "default": "auto"},
        "max_binary_bytes": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_BINARY,
            "default": 1024 * 1024,
        },
        "fail_on_status": {"type": "boolean", "default": True},
        "follow_redirects": {"type": "boolean", "default": True},
        "idempotency_header": {
            "type": ["string", "null"],
            "maxLength": 100,
            "default": None,
            "description": "Header that carries the step's idempotency key.",
        },
    },
    "allOf": [
        {
            "if": {"properties": {"body_type": {"const": "form"}}, "required": ["body_type"]},
            "then": {"properties": {"body": {"type": "object"}}},
        },
        {
            "if": {"properties": {"body_type": {"const": "raw"}}, "required": ["body_type"]},
            "then": {"properties": {"body": {"type": "string"}}},
        },
    ],
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="HTTP request",
    category=Category.HTTP,
    icon="globe",
    description="Call an HTTP API (JSON, form or raw body; credential auth; SSRF-guarded).",
    config_schema=CONFIG_SCHEMA,
    ui={
        "method": UiHint(widget="select", inline=True),
        "url": UiHint(placeholder="https://api.example.com/items", inline=True),
        "query": UiHint(widget="key_value", group="Request"),
        "headers": UiHint(widget="key_value", group="Request"),
        "body_type": UiHint(widget="select", group="Body"),
        "body": UiHint(
            widget="code", group="Body", show_when={"body_type": ["json", "form", "raw"]}
        ),
        "content_type": UiHint(
            placeholder="text/plain", group="Body", show_when={"body_type": "raw"}
        ),
        "credential_id": UiHint(widget="credential"),
        "timeout_s": UiHint(group="Advanced"),
        "response_format": UiHint(widget="select", group="Advanced"),
        "max_binary_bytes": UiHint(group="Advanced", show_when={"response_format": "binary"}),
        "fail_on_status": UiHint(group="Advanced"),
        "follow_redirects": UiHint(group="Advanced"),
        "idempotency_header": UiHint(placeholder="Idempotency-Key", group="Advanced"),
    },
    outputs={
        "status": "integer",
        "ok": "boolean",
        "headers": "object",
        "body": "json",
        "url": "string",
        "elapsed_ms": "number",
    },
    # 5xx/429/timeouts are retried by the engine; the client's per-target breaker and rate
    # limit protect each host, so no block-wide breaker (one bad host must not stop others).
    policies=Policies(
        timeout_s=330,
        retry=RetryPolicy(max_attempts=3, backoff="exponential", base_s=1.0, max_s=60.0),
    ),
)


def _query(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None:
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((str(name), text))
    return pairs


def _body(config: Mapping[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    kind = config.get("body_type", "none")
    body = config.get("body")
    if kind == "none" or (body is None and kind != "json"):
        return {}
    if kind == "json":
        return {"json": body}
    if kind == "form":
        if not isinstance(body, Mapping):
            raise BlockError(f"{KEY}: a form body must be an object", code="invalid_config")
        return {"data": _query(body)}
    if not isinstance(body, str):
        raise BlockError(f"{KEY}: a raw body must be a string", code="invalid_config")
    if config.get("content_type") and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = config["content_type"]
    return {"data": body.encode("utf-8")}


@dataclass(frozen=True)
class RequestParts:
    """What the block hands the outbound client: the one place a request is put together,
    shared by a run and the editor's request preview (apps.workflows.request_preview)."""

    method: str
    url: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    body: dict[str, Any]  # {"json": value} or {"data": form pairs or bytes}, or nothing


def request_parts(config: Mapping[str, Any], *, idempotency_key: str) -> RequestParts:
    """The request a (resolved, defaults-applied) config describes; BlockError if the body
    does not fit its ``body_type``. The credential is added later, by the client."""
    headers = {str(k): str(v) for k, v in (config.get("headers") or {}).items()}
    if config.get("idempotency_header"):
        headers[str(config["idempotency_header"])] = idempotency_key
    body = _body(config, headers)
    return RequestParts(
        method=str(config.get("method", "GET")),
        url=str(config["url"]),
        params=_query(config.get("query") or {}),
        headers=headers,
        body=body,
    )


def refused_destination(exc: BlockedDestination) -> str:
    """The error a run reports when the SSRF guard refuses the destination."""
    return _outbound.blocked_message(KEY, exc)


@register(SPEC)
@_outbound.parks_when_told_to_wait
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Send one request; non-2xx is an error (or an output when ``fail_on_status`` is off)."""
    parts = request_parts(config, idempotency_key=ctx.idempotency_key)
    url, method, headers = parts.url, parts.method, parts.headers
    mode = config.get("response_format", "auto")
    binary_cap = int(config.get("max_binary_bytes", 1024 * 1024))
    try:
        # `timeout_s` bounds the whole attempt (connect, each read and the body), not only
        # each read: a peer trickling its body cannot stretch it.
        timeout = _outbound.timeout_for(ctx, float(config.get("timeout_s", 30)))
        response = _outbound.request(
            ctx,
            KEY,
            method,
            url,
            params=parts.params,
            headers=headers,
            timeout=timeout,
            total_timeout=timeout,
            credential_id=config.get("credential_id"),
            max_response_bytes=binary_cap if mode == "binary" else None,
            allow_redirects=bool(config.get("follow_redirects", True)),
            **parts.body,
        )
    except BlockError as exc:
        raise _outbound.once_unless_repeatable(method, headers, exc) from None
    redact = _outbound.redactor(ctx, config.get("credential_id"))
    ok = 200 <= response.status < 300
    if not ok and config.get("fail_on_status", True):
        raise _outbound.once_unless_repeatable(
            method, headers, _outbound.status_error(KEY, response, _outbound.host_of(url), redact)
        )
    if mode == "json" and not ok:
        mode = "auto"  # an error page is rarely JSON; do not hide the status behind that
    return BlockResult(
        outputs={
            "status": response.status,
            "ok": ok,
            "headers": {str(k).lower(): str(v) for k, v in response.headers.items()},
            "body": _outbound.decode_body(KEY, response, mode, binary_cap, redact),
            "url": response.url,
            "elapsed_ms": round(response.elapsed * 1000, 1),
        }
    )
