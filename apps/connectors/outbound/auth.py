"""Credential injection for outbound requests.

Connectors never build auth headers themselves: they hand the client an ``AuthInjector``
built from a decrypted credential. The client applies it only to requests going to the
origin (scheme, host, port) the call was made for, so a redirect to another host never
receives the credential, and it uses ``secrets()`` to scrub those values from every error
message and log line. Injectors keep their values out of ``repr`` so a traceback or a
debugger dump does not print them.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = [
    "ApiKeyHeader",
    "ApiKeyQuery",
    "AuthInjector",
    "BasicAuth",
    "BearerToken",
    "OutgoingRequest",
]


@dataclass
class OutgoingRequest:
    """The mutable parts of a request an injector may change."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:  # header and parameter values may be secrets
        return f"OutgoingRequest(method={self.method!r}, headers={sorted(self.headers)!r})"


@runtime_checkable
class AuthInjector(Protocol):
    def inject(self, request: OutgoingRequest) -> None:
        """Add the credential to ``request`` (headers, params or URL)."""
        ...

    def secrets(self) -> Sequence[str]:
        """The secret values to redact from anything logged or raised."""
        ...


@dataclass(frozen=True)
class ApiKeyHeader:
    """``<header>: [prefix]<key>``, e.g. ``X-API-Key: abc`` or ``Authorization: Token abc``."""

    value: str = field(repr=False)
    header: str = "X-API-Key"
    prefix: str = ""

    def inject(self, request: OutgoingRequest) -> None:
        request.headers[self.header] = f"{self.prefix}{self.value}"

    def secrets(self) -> Sequence[str]:
        return (self.value,)


@dataclass(frozen=True)
class ApiKeyQuery:
    """``?<param>=<key>``. Prefer a header where the API allows it: URLs end up in logs."""

    value: str = field(repr=False)
    param: str = "api_key"

    def inject(self, request: OutgoingRequest) -> None:
        request.params = [(k, v) for k, v in request.params if k != self.param]
        request.params.append((self.param, self.value))

    def secrets(self) -> Sequence[str]:
        return (self.value,)


@dataclass(frozen=True)
class BearerToken:
    """``Authorization: Bearer <token>`` (OAuth2 access tokens, personal access tokens)."""

    token: str = field(repr=False)

    def inject(self, request: OutgoingRequest) -> None:
        request.headers["Authorization"] = f"Bearer {self.token}"

    def secrets(self) -> Sequence[str]:
        return (self.token,)


@dataclass(frozen=True)
class BasicAuth:
    """``Authorization: Basic base64(username:password)`` (RFC 7617, UTF-8)."""

    username: str
    password: str = field(repr=False)

    def inject(self, request: OutgoingRequest) -> None:
        pair = f"{self.username}:{self.password}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")

    def secrets(self) -> Sequence[str]:
        # The encoded pair is listed too: redact() also finds the password inside it, but
        # the whole header value is what a careless log line would contain.
        pair = f"{self.username}:{self.password}".encode()
        return (self.password, base64.b64encode(pair).decode("ascii"))
