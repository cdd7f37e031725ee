"""The platform's MCP client: ``tools/list`` and ``tools/call`` on a remote MCP server over
streamable HTTP (the official ``mcp`` SDK), under the same SSRF policy as every other call.

The SDK speaks HTTP through an ``httpx2.AsyncClient``; the one it gets here can reach nothing
the policy refuses:

- ``PinnedBackend`` is the connection pool's network backend: every TCP connection (the
  first request, a redirect hop, a reconnect) resolves its host through ``SSRFPolicy.resolve``
  (one lookup, every address checked, allow-list applied) and connects to a checked address,
  never looking the name up again (no DNS rebinding). ``Host`` and TLS SNI/certificate checks
  keep the name, because httpcore passes the origin's name to ``start_tls`` itself.
- No proxy (``trust_env=False``): a proxy would resolve and connect out of the policy's reach.
- The credential's ``AuthInjector`` is applied by the transport to requests for the origin
  it was configured for only, so no redirect or stray URL receives it.

Each call (a whole session: handshake and one request) is one attempt of the platform's
``OutboundClient.guarded`` on the target ``mcp:<host>:<port>``: that target's rate limit and
circuit breaker (a failure is no connection, a timeout or an HTTP 5xx), its counters, the
Prometheus histogram and the client's ``on_call`` observer (the Status page's call counts)
apply as to any connector call. No inline retry: the caller's step retries.

Only stdio-free streamable HTTP exists here: this module never spawns a process. The calls
are synchronous (``anyio.run``), for blocks running in the engine's worker threads.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

import anyio
import httpcore2
import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from .auth import AuthInjector, OutgoingRequest
from .client import OutboundClient
from .errors import (
    McpError,
    McpServerError,
    McpUnauthorized,
    OutboundConnectionError,
    OutboundError,
    OutboundTimeout,
)
from .policies import TargetPolicy
from .ssrf import SSRFPolicy

__all__ = ["GuardedTransport", "PinnedBackend", "mcp_call_tool", "mcp_list_tools", "mcp_target"]

T = TypeVar("T")


class _QueryFilter(logging.Filter):
    """httpx2 logs each request's URL at INFO; an API key may sit in its query: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 2:
            args = list(record.args)
            if isinstance(args[1], httpx2.URL) and args[1].query:
                args[1] = str(args[1].copy_with(query=None)) + "?…"
                record.args = tuple(args)
        return True


_httpx_logger = logging.getLogger("httpx2")
if not any(isinstance(f, _QueryFilter) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_QueryFilter())


class PinnedBackend(httpcore2.AsyncNetworkBackend):
    """Connects only to addresses the SSRF policy resolved and checked; remembers a refusal
    (or the transport's 401) so the caller can report it: the SDK turns transport failures
    into generic errors."""

    def __init__(self, policy: SSRFPolicy) -> None:
        self.policy = policy
        self.failure: OutboundError | None = None
        self._inner = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        try:
            # getaddrinfo blocks: off the event loop, like anyio's own resolution.
            addresses = await anyio.to_thread.run_sync(self.policy.resolve, host, port)
        except OutboundError as exc:
            self.failure = exc
            raise
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore2.ConnectError as exc:  # try the next checked address
                last = exc
        assert last is not None  # resolve() never returns an empty list
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx2.AsyncHTTPTransport):
    """httpx2's transport on a pool that uses ``PinnedBackend``, adding ``auth`` to requests
    for ``origin`` only; a refusal (401/403) or a server failure (5xx) is remembered."""

    def __init__(
        self, policy: SSRFPolicy, *, origin: tuple[str, str, int], auth: AuthInjector | None
    ) -> None:
        super().__init__(trust_env=False)
        self.backend = PinnedBackend(policy)
        self._origin = origin
        self._auth = auth
        # Same pool as httpx2 builds (its ssl context, no proxy), with our backend: the
        # constructor offers no network_backend argument.
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False), network_backend=self.backend
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._auth is not None and _origin(request.url) == self._origin:
            outgoing = OutgoingRequest(method=request.method, url=str(request.url))
            self._auth.inject(outgoing)
            for name, value in outgoing.headers.items():
                request.headers[name] = value
            if outgoing.params:
                request.url = request.url.copy_merge_params(outgoing.params)
        response = await super().handle_async_request(request)
        if response.status_code in (401, 403):
            self.backend.failure = McpUnauthorized(
                f"MCP server {request.url.host!r} refused the credential "
                f"(HTTP {response.status_code})"
            )
            raise self.backend.failure
        if response.status_code >= 500:
            self.backend.failure = McpServerError(
                f"MCP server {request.url.host!r} failed (HTTP {response.status_code})"
            )
            raise self.backend.failure
        return response


def _origin(url: httpx2.URL) -> tuple[str, str, int]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.scheme, url.host, port


async def _session(
    url: str,
    policy: SSRFPolicy,
    auth: AuthInjector | None,
    timeout: float,
    work: Callable[[ClientSession], Awaitable[T]],
) -> T:
    scheme, host, port = policy.check_url(url)
    # Refuse a private target before any session machinery starts (a clear error, no task group).
    await anyio.to_thread.run_sync(policy.resolve, host, port)
    transport = GuardedTransport(policy, origin=(scheme, host.lower(), port), auth=auth)
    try:
        with anyio.fail_after(timeout):
            async with (
                httpx2.AsyncClient(transport=transport, timeout=timeout, trust_env=False) as http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write, read_timeout_seconds=timeout) as session,
            ):
                await session.initialize()
                return await work(session)
    except TimeoutError:
        raise OutboundTimeout(f"MCP server {host!r} did not answer within {timeout:g}s") from None
    except OutboundError:
        raise
    except Exception as exc:
        # Failures inside the SDK's task group arrive as (groups of) generic errors.
        found = transport.backend.failure or _find(exc, OutboundError)
        if isinstance(found, OutboundError):
            raise found from None
        if _find(exc, MCPError) is not None:
            detail = str(_find(exc, MCPError))[:300]
            raise McpError(f"MCP server {host!r} answered with an error: {detail}") from None
        if _find(exc, httpx2.TransportError) is not None or _find(exc, OSError) is not None:
            raise OutboundConnectionError(f"could not reach MCP server {host!r}") from None
        raise McpError(f"MCP session with {host!r} failed: {type(exc).__name__}") from None


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first ``kind`` in ``exc``, its exception group members or its causes."""
    if isinstance(exc, kind):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        found = _find(inner, kind)
        if found is not None:
            return found
    cause = exc.__cause__ or exc.__context__
    return _find(cause, kind) if cause is not None and cause is not exc else None


def mcp_target(url: str, policy: SSRFPolicy, template: TargetPolicy | None = None) -> TargetPolicy:
    """``template``'s policies for the MCP server at ``url``, keyed ``mcp:<host>:<port>``."""
    _, host, port = policy.check_url(url)
    return replace(template or TargetPolicy(), key=f"mcp:{host}:{port}")


def _run(
    url: str,
    client: OutboundClient,
    target: TargetPolicy | None,
    auth: AuthInjector | None,
    timeout: float,
    work: Callable[[ClientSession], Awaitable[T]],
) -> T:
    return client.guarded(
        url,
        lambda: anyio.run(_session, url, client.policy, auth, timeout, work),
        target=mcp_target(url, client.policy, target),
        auth=auth,
    )


def mcp_list_tools(
    url: str,
    *,
    client: OutboundClient,
    target: TargetPolicy | None = None,
    auth: AuthInjector | None = None,
    timeout: float = 30.0,
) -> list[dict[str, Any]]:
    """The server's tools (every page): ``[{"name", "description", "input_schema"}]``.
    ``target``: the server's rate limit and breaker (its key is set here)."""

    async def work(session: ClientSession) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(100):  # a server that pages forever is cut off
            params = None if cursor is None else _page(cursor)
            listed = await session.list_tools(params=params)
            tools.extend(
                {
                    "name": t.name,
                    "description": t.description or "",
                    "input_schema": t.input_schema,
                }
                for t in listed.tools
            )
            cursor = listed.next_cursor
            if not cursor:
                break
        return tools

    return _run(url, client, target, auth, timeout, work)


def _page(cursor: str) -> Any:
    import mcp_types

    return mcp_types.PaginatedRequestParams(cursor=cursor)


def mcp_call_tool(
    url: str,
    name: str,
    arguments: dict[str, Any],
    *,
    client: OutboundClient,
    target: TargetPolicy | None = None,
    auth: AuthInjector | None = None,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """``tools/call``: ``{"content": [...], "structured_content", "is_error"}`` as JSON data."""

    async def work(session: ClientSession) -> dict[str, Any]:
        result = await session.call_tool(name, arguments)
        return {
            "content": [
                c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in result.content
            ],
            "structured_content": result.structured_content,
            "is_error": bool(result.is_error),
        }

    return _run(url, client, target, auth, timeout, work)
