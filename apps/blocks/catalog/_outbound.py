"""Shared plumbing of the outbound blocks: host ports, error mapping, response decoding.

Private (the leading underscore keeps it out of block discovery). Plain Python: blocks
reach the network only through ``ctx.http`` (the platform's guarded ``OutboundClient``) and
credentials only through ``ctx.secrets``; both are ports the host passes in, never
constructed here. Every ``OutboundError`` is turned into a ``BlockError`` whose message
names the block and the destination host (never the path or query, which may carry keys)
and whose ``retryable`` follows the client's verdict, so the engine's retry policy applies
to transient trouble only. ``parks_when_told_to_wait`` wraps an ``execute`` so that a long
``Retry-After`` parks the run instead.
"""

from __future__ import annotations

import base64
import functools
import json
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from apps.blocks.sdk import BlockContext, BlockError, BlockResult, Park
from apps.connectors.outbound.errors import (
    BlockedDestination,
    CircuitOpen,
    InvalidRequest,
    OutboundError,
    RateLimited,
    ResponseTooLarge,
)
from apps.connectors.outbound.policies import may_retry
from apps.core.resilience.retry import parse_retry_after

__all__ = [
    "SNIPPET_CHARS",
    "auth_for",
    "blocked_message",
    "decode_body",
    "host_of",
    "http_client",
    "request",
    "status_error",
    "timeout_for",
    "values_for",
]

SNIPPET_CHARS = 500
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
PARK_AFTER_S = 5.0  # a longer Retry-After parks the execution instead of holding a worker
MAX_PARK_S = 3600.0
F = TypeVar("F", bound=Callable[..., Any])


class RetryLater(BlockError):
    """Retryable, with the wait the target asked for (Retry-After, an open breaker)."""

    def __init__(self, message: str, *, retry_after: float, code: str) -> None:
        super().__init__(message, retryable=True, code=code)
        self.retry_after = retry_after


def parks_when_told_to_wait(execute: F) -> F:
    """Wrap a block's ``execute``: when the target says "come back in N seconds" and N is
    long, park the step until then (the engine re-runs it on wake-up) instead of burning
    retry attempts on a target that will refuse them. A second refusal after waking is an
    ordinary retryable error, so the retry policy bounds how long a run keeps trying."""

    @functools.wraps(execute)
    def wrapper(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> Any:
        try:
            return execute(ctx, config, inputs)
        except RetryLater as exc:
            if exc.retry_after <= PARK_AFTER_S or ctx.wake is not None:
                raise
            wait = min(exc.retry_after, MAX_PARK_S)
            return BlockResult(
                park=Park(until=ctx.now() + timedelta(seconds=wait), reason=exc.message)
            )

    return wrapper


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def http_client(ctx: BlockContext, block: str) -> Any:
    """The host's outbound client; a host without one is a configuration error, not a bug."""
    if ctx.http is None:
        raise BlockError(
            f"{block}: this host provides no outbound HTTP client (ctx.http)", code="not_configured"
        )
    return ctx.http


def _secrets(ctx: BlockContext, block: str) -> Any:
    if ctx.secrets is None:
        raise BlockError(
            f"{block}: this host provides no credential store (ctx.secrets)", code="not_configured"
        )
    return ctx.secrets


def _credential_error(block: str, credential_id: str, exc: Exception) -> BlockError:
    # The resolver's messages never carry secret values; keep them short all the same.
    detail = str(exc)[:200] or type(exc).__name__
    return BlockError(
        f"{block}: credential {credential_id!r} cannot be used: {detail}", code="credential_error"
    )


def auth_for(ctx: BlockContext, block: str, credential_id: str | None) -> Any:
    """An ``AuthInjector`` for ``credential_id`` (None when no credential is configured)."""
    if not credential_id:
        return None
    try:
        return _secrets(ctx, block).auth_for(credential_id)
    except BlockError:
        raise
    except Exception as exc:  # the host's resolver decides what "unusable" means
        raise _credential_error(block, credential_id, exc) from None


def values_for(ctx: BlockContext, block: str, credential_id: str) -> dict[str, Any]:
    """The decrypted fields of a credential (SMTP host, password, ...); never log them."""
    try:
        values = _secrets(ctx, block).values_for(credential_id)
    except BlockError:
        raise
    except Exception as exc:
        raise _credential_error(block, credential_id, exc) from None
    if not isinstance(values, Mapping):
        raise BlockError(
            f"{block}: credential {credential_id!r} has no usable values", code="credential_error"
        )
    return dict(values)


def timeout_for(ctx: BlockContext, configured: float) -> float:
    """The configured timeout, shortened to what is left of the step's deadline."""
    if ctx.deadline is None:
        return configured
    remaining = ctx.deadline - time.time()
    if remaining <= 0.05:
        raise BlockError(
            "the step's time budget is spent before the request", code="timeout", retryable=True
        )
    return min(configured, remaining)


def request(
    ctx: BlockContext,
    block: str,
    method: str,
    url: str,
    *,
    credential_id: str | None = None,
    **kwargs: Any,
) -> Any:
    """One call through ``ctx.http`` with ``credential_id`` injected; errors become BlockErrors.

    When the host's secrets port offers ``request(credential_id, method, url, **kwargs)``
    (the platform's does: it refreshes an expired OAuth token once and repeats the call),
    credentialed calls go through it; otherwise the injector from ``auth_for`` is passed to
    ``ctx.http.request``.
    """
    client = http_client(ctx, block)
    host = host_of(url)
    # One retry layer per call: the step's retry policy. The client makes one attempt.
    kwargs.setdefault("retries", False)
    try:
        if credential_id and callable(getattr(ctx.secrets, "request", None)):
            try:
                return ctx.secrets.request(credential_id, method, url, **kwargs)
            except (BlockError, OutboundError):
                raise
            except Exception as exc:  # the resolver could not produce a credential
                raise _credential_error(block, credential_id, exc) from None
        injector = auth_for(ctx, block, credential_id)
        return client.request(method, url, auth_injector=injector, **kwargs)
    except BlockedDestination as exc:
        raise BlockError(blocked_message(block, exc), code="blocked_destination") from None
    except (RateLimited, CircuitOpen) as exc:
        code = "rate_limited" if isinstance(exc, RateLimited) else "circuit_open"
        raise RetryLater(f"{block}: {exc}", code=code, retry_after=exc.retry_after) from None
    except ResponseTooLarge as exc:
        raise BlockError(
            f"{block}: {exc}; raise max_response_bytes or fetch less", code="response_too_large"
        ) from None
    except InvalidRequest as exc:
        raise BlockError(
            f"{block}: invalid request to {host!r}: {exc}", code="invalid_request"
        ) from None
    except OutboundError as exc:
        raise BlockError(f"{block}: {exc}", code=_code(exc), retryable=exc.retryable) from None


def blocked_message(block: str, exc: BlockedDestination) -> str:
    """Why the SSRF guard refused a destination (a run's error, the editor's preview)."""
    return (
        f"{block}: destination {exc.url_host!r} is not allowed ({exc.reason}); "
        "private, loopback and metadata addresses are refused unless an operator adds "
        "them to OUTBOUND_ALLOWLIST"
    )


def _code(exc: OutboundError) -> str:
    name = type(exc).__name__
    return {
        "OutboundTimeout": "timeout",
        "OutboundTLSError": "tls_error",
        "UnresolvableHost": "unresolvable_host",
        "TooManyRedirects": "too_many_redirects",
    }.get(name, "connection_error")


Redact = Callable[[str], str]


def _unchanged(text: str) -> str:
    return text


def redactor(ctx: BlockContext, credential_id: Any) -> Redact:
    """Masks the credential's secrets in text that is about to be stored (an upstream may
    echo the Authorization header back in an error page)."""
    if not credential_id or ctx.secrets is None or not hasattr(ctx.secrets, "redact"):
        return _unchanged
    return lambda text: str(ctx.secrets.redact(text, credential_id))


def snippet(response: Any, limit: int = SNIPPET_CHARS, redact: Redact = _unchanged) -> str:
    text: str = redact(response.text)
    return text if len(text) <= limit else text[:limit] + "…"


def once_unless_repeatable(
    method: str, headers: Mapping[str, str], error: BlockError
) -> BlockError:
    """``error``, not retryable when repeating the call is unsafe.

    A POST (or PATCH) that failed may have been processed anyway; repeating it without an
    idempotency key could act twice. A 429 wait (``RetryLater``) is kept: the upstream said
    it did not process the call.
    """
    if not error.retryable or isinstance(error, RetryLater) or may_retry(method, headers):
        return error
    return BlockError(
        f"{error.message} (not retried: a {method.upper()} without an "
        "idempotency header may have been processed; set idempotency_header "
        "to retry it safely)",
        code=error.code,
        retryable=False,
    )


def retried_already(error: BlockError) -> BlockError:
    """``error`` after the client's own retries: the step does not retry it again."""
    if not error.retryable or isinstance(error, RetryLater):
        return error
    return BlockError(
        f"{error.message} (after the connector's retries)", code=error.code, retryable=False
    )


def status_error(block: str, response: Any, host: str, redact: Redact = _unchanged) -> BlockError:
    """A non-2xx answer as an error: 5xx, 429 and 408 are worth retrying, other 4xx are not."""
    status = int(response.status)
    message = f"{block}: {host!r} answered HTTP {status}: {snippet(response, redact=redact)}"
    wait = (
        parse_retry_after(response.headers.get("retry-after"), now=time.time())
        if status in (429, 503)
        else None
    )
    if wait is not None:
        return RetryLater(message, code=f"http_{status}", retry_after=wait)
    return BlockError(message, code=f"http_{status}", retryable=status in RETRYABLE_STATUSES)


def is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def decode_body(
    block: str, response: Any, mode: str, binary_limit: int, redact: Redact = _unchanged
) -> Any:
    """The body as ``json`` (parsed), ``text``, ``binary`` ({base64, size, content_type}) or
    ``auto`` (JSON when the content type says so, text otherwise)."""
    content_type = str(response.headers.get("content-type", ""))
    if mode == "auto":
        mode = "json" if is_json_type(content_type) and response.body else "text"
    if mode == "json":
        if not response.body:
            return None
        try:
            return json.loads(response.body)
        except ValueError:
            raise BlockError(
                f"{block}: expected JSON from {host_of(response.url)!r} but got "
                f"{content_type or 'no content type'}: {snippet(response, 200, redact)}",
                code="invalid_response",
            ) from None
    if mode == "binary":
        if len(response.body) > binary_limit:
            raise BlockError(
                f"{block}: binary body of {len(response.body)} bytes exceeds "
                f"the {binary_limit}-byte cap",
                code="response_too_large",
            )
        return {
            "base64": base64.b64encode(response.body).decode("ascii"),
            "size": len(response.body),
            "content_type": content_type,
        }
    return response.text
