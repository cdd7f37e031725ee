"""The platform's only outbound HTTP client, and its SSRF policy.

Every outbound call (HTTP block, connectors, OAuth token endpoints, polling) goes through
``OutboundClient``; see ``client`` for what it guarantees and ``ssrf`` for what it refuses.
Plain Python: no Django import, so settings are read by the caller and passed in::

    client = OutboundClient(
        SSRFPolicy(allowlist=settings.OUTBOUND_ALLOWLIST),
        store=django.core.cache.cache,
    )
    response = client.request("GET", url, auth_injector=BearerToken(token))
"""

from apps.core.resilience.store import InMemoryStore, KeyValueStore

from .auth import ApiKeyHeader, ApiKeyQuery, AuthInjector, BasicAuth, BearerToken, OutgoingRequest
from .client import OutboundClient, OutboundResponse, PreparedRequest
from .errors import (
    BlockedDestination,
    CircuitOpen,
    InvalidRequest,
    OutboundConnectionError,
    OutboundError,
    OutboundTimeout,
    OutboundTLSError,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
    UnresolvableHost,
)
from .outcome import CallObserver, CallOutcome
from .policies import BreakerPolicy, RateLimitPolicy, RetryPolicy, TargetMetrics, TargetPolicy
from .sigv4 import AwsSigV4, aws_scope
from .ssrf import AllowList, SSRFPolicy

__all__ = [
    "AllowList",
    "ApiKeyHeader",
    "ApiKeyQuery",
    "AuthInjector",
    "AwsSigV4",
    "BasicAuth",
    "BearerToken",
    "BlockedDestination",
    "BreakerPolicy",
    "CallObserver",
    "CallOutcome",
    "CircuitOpen",
    "InMemoryStore",
    "InvalidRequest",
    "KeyValueStore",
    "OutboundClient",
    "OutboundConnectionError",
    "OutboundError",
    "OutboundResponse",
    "OutboundTLSError",
    "OutboundTimeout",
    "OutgoingRequest",
    "PreparedRequest",
    "RateLimitPolicy",
    "RateLimited",
    "ResponseTooLarge",
    "RetryPolicy",
    "SSRFPolicy",
    "TargetMetrics",
    "TargetPolicy",
    "TooManyRedirects",
    "UnresolvableHost",
    "aws_scope",
]
