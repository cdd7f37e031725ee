"""Errors raised by the outbound HTTP client.

Every message is safe to log and to store on an execution: it names the destination host
(never the path or query, which may carry tokens) and never a header value or credential.
Exceptions from requests/urllib3 are not chained (``from None``) because their text embeds
the full request URL.
"""

from __future__ import annotations


class OutboundError(Exception):
    """Base class of every error the outbound client raises."""

    retryable: bool = False
    breaker_failure: bool = False  # says the target is unwell: counts toward opening its breaker


class InvalidRequest(OutboundError):
    """The request itself is unusable (bad URL, scheme, header); fix the input."""


class BlockedDestination(OutboundError):
    """The destination is not allowed by the SSRF policy; no connection was attempted."""

    def __init__(self, url_host: str, reason: str) -> None:
        self.url_host = url_host
        self.reason = reason
        super().__init__(f"outbound request to {url_host!r} blocked: {reason}")


class TooManyRedirects(OutboundError):
    def __init__(self, url_host: str, limit: int) -> None:
        self.url_host = url_host
        self.limit = limit
        super().__init__(f"more than {limit} redirects (last hop to {url_host!r})")


class ResponseTooLarge(OutboundError):
    def __init__(self, url_host: str, limit: int) -> None:
        self.url_host = url_host
        self.limit = limit
        super().__init__(f"response from {url_host!r} exceeds {limit} bytes")


class OutboundConnectionError(OutboundError):
    """Could not resolve, connect, or read; usually transient."""

    retryable = True
    breaker_failure = True


class UnresolvableHost(OutboundConnectionError):
    """DNS resolution failed or returned no usable address."""


class OutboundTimeout(OutboundConnectionError):
    """A connect/read timeout or the total deadline elapsed."""


class OutboundTLSError(OutboundConnectionError):
    """TLS handshake or certificate verification failed; not retried."""

    retryable = False


class RateLimited(OutboundError):
    """The target's rate limit (ours, or a Retry-After it sent) forbids a call right now.

    ``retry_after`` (seconds) tells the engine how long to park the execution.
    """

    retryable = True

    def __init__(self, target: str, retry_after: float) -> None:
        self.target = target
        self.retry_after = max(0.0, retry_after)
        super().__init__(f"rate limit of {target!r} reached; retry in {self.retry_after:.1f}s")


class CircuitOpen(OutboundError):
    """The target's circuit breaker is open after repeated failures."""

    retryable = True

    def __init__(self, target: str, retry_after: float) -> None:
        self.target = target
        self.retry_after = max(0.0, retry_after)
        super().__init__(f"circuit breaker of {target!r} is open; retry in {self.retry_after:.1f}s")


class McpError(OutboundError):
    """An MCP server answered, but not as MCP expects (a JSON-RPC error, a failed handshake)."""


class McpUnauthorized(McpError):
    """An MCP server refused the credential (HTTP 401/403)."""


class McpServerError(McpError):
    """An MCP server answered HTTP 5xx: it is down or failing, like a 5xx of any API."""

    retryable = True
    breaker_failure = True
