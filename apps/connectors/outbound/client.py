"""The platform's one outbound HTTP client (HTTP block, connectors, OAuth token calls, polling).

Everything that leaves the platform goes through ``OutboundClient.request`` so that one
place enforces what must hold for every call:

- SSRF: the ``SSRFPolicy`` is applied to the addresses actually connected to (see ``ssrf``
  and ``transport``); redirects are followed here, by hand, so each hop is checked again, the
  hop count is capped, and only http/https are followed.
- Credentials are injected by an ``AuthInjector`` only for the origin the call was made
  for: a redirect to another host gets neither the injected credential nor the caller's
  ``Authorization``/``Cookie`` headers.
- Bounded resources: connect/read timeouts, a total deadline, and a response size cap
  (applied to the decoded body, so a compressed bomb is cut off too).
- Per-target retry/rate limit/circuit breaker and metrics, with state in a shared store;
  ``guarded`` applies the same to a call made over another HTTP stack (the MCP SDK's).
- Nothing secret is logged or raised: log lines carry method, host, status and timings only;
  error messages are built here (requests' own messages embed the full URL, query included)
  and passed through ``redact`` with the injector's secrets.

No cookies are kept between calls and environment proxies/netrc are ignored: the client
sends a prepared request straight to its adapter rather than through a ``requests.Session``.

One module, past the ~400-line guideline on purpose: it is built around one class,
``OutboundClient``, whose single request path is the one place above where every rule is
enforced; a split would scatter that place.
"""

from __future__ import annotations

import functools
import json as jsonlib
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri
from urllib3.exceptions import MaxRetryError

from apps.core.redaction import redact
from apps.core.resilience.retry import parse_retry_after
from apps.core.resilience.store import InMemoryStore, KeyValueStore
from apps.observability import metrics, tracing

from .auth import AuthInjector, OutgoingRequest
from .errors import (
    BlockedDestination,
    InvalidRequest,
    OutboundConnectionError,
    OutboundError,
    OutboundTimeout,
    OutboundTLSError,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
)
from .outcome import CallObserver, CallOutcome
from .policies import (
    BreakerTicket,
    CircuitBreaker,
    Metrics,
    RateLimiter,
    TargetMetrics,
    TargetPolicy,
    may_retry,
)
from .ssrf import DEFAULT_PORTS, SSRFPolicy
from .transport import PinnedAddressAdapter

__all__ = ["OutboundClient", "OutboundResponse"]

logger = logging.getLogger("apps.connectors.outbound")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Dropped when a redirect leaves the origin the caller addressed (requests drops only some).
CROSS_ORIGIN_DROP = frozenset({"authorization", "proxy-authorization", "cookie"})
BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
Timeout = float | tuple[float, float]
T = TypeVar("T")


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    url: str  # final URL, after redirects, with injected secrets replaced by [redacted]
    elapsed: float  # seconds, first byte sent to last byte read, retries included
    attempts: int = 1
    redirects: int = 0

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def text(self) -> str:
        content_type = self.headers.get("content-type", "")
        charset = "utf-8"
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def __repr__(self) -> str:  # no URL: its query may carry a key
        return f"<OutboundResponse {self.status} {len(self.body)} bytes>"


@dataclass
class _Call:
    """Everything about one ``request()`` call that the hops and attempts share."""

    method: str
    url: str
    headers: dict[str, str]
    params: list[tuple[str, str]]
    json: Any
    data: Any
    timeout: Timeout
    auth: AuthInjector | None
    max_bytes: int
    allow_redirects: bool
    deadline: float | None
    origin: tuple[str, str, int]
    secrets: tuple[str, ...] = field(default_factory=tuple)


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme, 0)


def _call_span(
    method: str, origin: tuple[str, str, int], target: TargetPolicy
) -> AbstractContextManager[tracing.Span]:
    """The ``api.call`` span of one call. The origin, not the URL: a path can itself be a
    secret (a Slack webhook URL), a query can carry an API key."""
    scheme, host, port = origin
    return tracing.span(
        "api.call",
        kind=tracing.SpanKind.CLIENT,
        attributes={
            "http.request.method": method,
            "server.address": host,
            "server.port": port,
            "flowplane.connector": metrics.connector_of(target.key),
            "flowplane.endpoint": f"{scheme}://{host}:{port}",
        },
    )


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
        elif current.args and isinstance(current.args[0], BaseException):
            current = current.args[0]
        elif current.__cause__ is not None:
            current = current.__cause__
        elif current.__context__ is not None:
            current = current.__context__
        else:
            break
    return current


def _describe(exc: BaseException) -> str:
    """A short reason that does not include the request URL."""
    root = _root_cause(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"certificate verification failed: {root.verify_message}"
    if type(root).__name__ == "CertificateError":  # urllib3's own host name check
        return f"certificate verification failed: {root}"
    if isinstance(root, ssl.SSLError):
        return f"TLS error: {root.reason or type(root).__name__}"
    if isinstance(root, OSError) and root.strerror:
        return root.strerror
    return type(root).__name__


class _UrllibQueryFilter(logging.Filter):
    """urllib3 logs request paths at DEBUG; drop their query strings (API keys live there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 5:
            args = list(record.args)
            if isinstance(args[4], str) and "?" in args[4]:
                args[4] = args[4].split("?", 1)[0] + "?…"
                record.args = tuple(args)
        return True


_urllib3_logger = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _UrllibQueryFilter) for f in _urllib3_logger.filters):
    _urllib3_logger.addFilter(_UrllibQueryFilter())


# What ``OutboundClient.prepare`` returns (url, headers, body), named here so that callers
# outside this package never import an HTTP library themselves.
PreparedRequest = requests.PreparedRequest


class OutboundClient:
    """Guarded HTTP client. One instance per process is fine (thread-safe pools).

    ``policy``: the SSRF policy (allow-list from ``OUTBOUND_ALLOWLIST``).
    ``store``: shared state; pass ``django.core.cache.cache``; in-memory by default.
    ``target_policies``: ``(target_name) -> TargetPolicy | None`` for per-target defaults
    (``target_name`` is ``"host:port"``); a per-call ``target`` overrides it.
    """

    def __init__(
        self,
        policy: SSRFPolicy,
        *,
        store: KeyValueStore | None = None,
        default_target: TargetPolicy | None = None,
        target_policies: Callable[[str], TargetPolicy | None] | None = None,
        timeout: Timeout = (5.0, 30.0),
        total_timeout: float | None = 120.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_redirects: int = 5,
        verify: bool | str = True,
        user_agent: str = "flowplane-outbound/0.1",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        on_call: CallObserver | None = None,
    ) -> None:
        self.policy = policy
        self.store: KeyValueStore = store if store is not None else InMemoryStore()
        self.default_target = default_target or TargetPolicy()
        self.target_policies = target_policies
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes
        self.max_redirects = max_redirects
        self.verify = verify
        self.user_agent = user_agent
        self.clock = clock
        self.sleep = sleep
        self.rng = rng
        self.on_call = on_call
        self.limiter = RateLimiter(self.store, clock=clock, sleep=sleep)
        self.breaker = CircuitBreaker(self.store, clock=clock)
        self.metrics_store = Metrics(self.store, clock=clock)
        self._adapter = PinnedAddressAdapter(policy)

    def __enter__(self) -> OutboundClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._adapter.close()

    def metrics(self, target: str) -> TargetMetrics:
        return self.metrics_store.get(target)

    # -- the public call -------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        timeout: Timeout | None = None,
        auth_injector: AuthInjector | None = None,
        max_response_bytes: int | None = None,
        target: TargetPolicy | None = None,
        allow_redirects: bool = True,
        retries: bool = True,
        total_timeout: float | None = None,
    ) -> OutboundResponse:
        """Send one request under every policy; HTTP error statuses are returned, not raised.

        ``retries=False`` makes one attempt whatever the target's retry policy says: for
        callers (workflow steps) that retry under their own policy, so attempts do not
        multiply (3 engine attempts x 3 client attempts were 9 calls).

        Raises ``BlockedDestination``, ``InvalidRequest``, ``TooManyRedirects``,
        ``ResponseTooLarge``, ``OutboundConnectionError`` (incl. timeouts, TLS),
        ``RateLimited`` and ``CircuitOpen``; all are ``OutboundError``.
        """
        method = method.upper()
        if not method.isalpha():
            raise InvalidRequest("invalid HTTP method")
        secrets = tuple(s for s in (auth_injector.secrets() if auth_injector else ()) if s)
        target_name, target_policy = self._target(url, target, retries=retries)

        start = time.perf_counter()
        call = _Call(
            method=method,
            url=url,
            headers=self._headers(headers),
            params=_params(params),
            json=json,
            data=data,
            timeout=timeout if timeout is not None else self.timeout,
            auth=auth_injector,
            max_bytes=max_response_bytes or self.max_response_bytes,
            allow_redirects=allow_redirects,
            deadline=(start + total) if (total := total_timeout or self.total_timeout) else None,
            origin=_origin(url),
            secrets=secrets,
        )
        with _call_span(method, call.origin, target_policy) as span:
            _, response = self._observed(
                method,
                call.origin[1],
                target_name,
                target_policy,
                start,
                lambda: self._status(self._with_policies(call, target_name, target_policy, start)),
                call.secrets,
            )
            span.set_attribute("http.response.status_code", response.status)
            span.set_attribute("flowplane.api.attempts", response.attempts)
            if response.status >= 400:
                tracing.failed(span, str(response.status))
        return response

    def guarded(
        self,
        url: str,
        attempt: Callable[[], T],
        *,
        target: TargetPolicy | None = None,
        method: str = "POST",
        auth: AuthInjector | None = None,
    ) -> T:
        """``attempt()`` (a call this client does not send itself, such as an MCP session over
        another HTTP stack) as one attempt under ``url``'s target policies: rate limit,
        breaker, counters, metrics and the ``on_call`` observer, as ``request`` applies them.
        A success counts as HTTP 200; an ``OutboundError`` is raised as is, and opens the
        breaker when it is ``breaker_failure`` (no connection, a 5xx). ``auth``'s secrets are
        redacted from what is logged and counted."""
        target_name, target_policy = self._target(url, target, retries=False)
        start = time.perf_counter()
        origin = _origin(url)

        def once() -> tuple[int, T]:
            ticket = self._gate(target_name, target_policy)
            try:
                result = attempt()
            except OutboundError as exc:
                self._settle(ticket, target_policy, failed=exc.breaker_failure or None)
                raise
            self._settle(ticket, target_policy, failed=False)
            return 200, result

        secrets = tuple(s for s in (auth.secrets() if auth else ()) if s)
        # An OutboundError leaving the span marks it failed with its type.
        with _call_span(method, origin, target_policy) as span:
            _, result = self._observed(
                method, origin[1], target_name, target_policy, start, once, secrets
            )
            span.set_attribute("http.response.status_code", 200)
        return result

    def _target(
        self, url: str, target: TargetPolicy | None, *, retries: bool
    ) -> tuple[str, TargetPolicy]:
        """The target's name (its key, else ``host:port``) and its policies."""
        _, host, port = self.policy.check_url(url)
        target_name = f"{host}:{port}"
        target_policy = target or (
            self.target_policies(target_name) if self.target_policies else None
        )
        target_policy = target_policy or self.default_target
        if not retries:
            target_policy = replace(
                target_policy, retry=replace(target_policy.retry, max_attempts=1)
            )
        return target_policy.key or target_name, target_policy

    def prepare(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        auth_injector: AuthInjector | None = None,
    ) -> requests.PreparedRequest:
        """The first request ``request`` would send, built the same way and not sent: the
        URL checks, default headers, credential injection and body encoding (a SigV4
        signature, made at send time, is not added). For the editor's request preview;
        raises ``InvalidRequest`` or ``BlockedDestination`` like ``request``."""
        method = method.upper()
        if not method.isalpha():
            raise InvalidRequest("invalid HTTP method")
        secrets = tuple(s for s in (auth_injector.secrets() if auth_injector else ()) if s)
        self.policy.check_url(url)
        outgoing = OutgoingRequest(
            method=method, url=url, headers=self._headers(headers), params=_params(params)
        )
        if auth_injector is not None:
            auth_injector.inject(outgoing)
        return self._prepare(outgoing, json, data, secrets)

    def _observed(
        self,
        method: str,
        host: str,
        target_name: str,
        target_policy: TargetPolicy,
        start: float,
        run: Callable[[], tuple[int, T]],
        secrets: tuple[str, ...],
    ) -> tuple[int, T]:
        """``run()`` (its answer's status and the answer) counted, observed and logged."""
        self.metrics_store.incr(target_name, "calls_total")
        log = functools.partial(self._log, method=method, host=host, target=target_name)
        try:
            status, answer = run()
        except RateLimited as exc:
            self._observe(target_policy, None, start)
            self.metrics_store.incr(target_name, "rate_limited")
            self.metrics_store.record_error(target_name, str(exc))
            log("outbound.call_rate_limited", start=start, error=str(exc))
            self._report(target_policy, None, start, str(exc), rate_limited=True)
            raise
        except OutboundError as exc:
            self._observe(target_policy, None, start)
            message = redact(str(exc), secrets)
            self.metrics_store.incr(target_name, "failed")
            self.metrics_store.record_error(target_name, message)
            log("outbound.call_failed", start=start, error=message)
            self._report(target_policy, None, start, message)
            raise
        self._observe(target_policy, status, start)
        if status == 429:
            self.metrics_store.incr(target_name, "rate_limited")
            self.metrics_store.record_error(target_name, "HTTP 429")
        elif status >= 400:
            self.metrics_store.incr(target_name, "failed")
            self.metrics_store.record_error(target_name, f"HTTP {status}")
        else:
            self.metrics_store.incr(target_name, "succeeded")
            self.metrics_store.record_success(target_name)
        attempts = answer.attempts if isinstance(answer, OutboundResponse) else 1
        log("outbound.call_finished", start=start, status=status, attempts=attempts)
        error = f"HTTP {status}" if status >= 400 else ""
        self._report(target_policy, status, start, error, rate_limited=status == 429)
        return status, answer

    def _report(
        self,
        target: TargetPolicy,
        status: int | None,
        start: float,
        error: str,
        *,
        rate_limited: bool = False,
    ) -> None:
        if self.on_call is None:
            return
        outcome = CallOutcome(
            target_key=target.key,
            status=status,
            seconds=time.perf_counter() - start,
            error=error,
            rate_limited=rate_limited,
        )
        try:
            self.on_call(outcome)
        except Exception:  # bookkeeping must never fail the call it describes
            logger.exception("outbound.observer_failed")

    def get(self, url: str, **kwargs: Any) -> OutboundResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> OutboundResponse:
        return self.request("POST", url, **kwargs)

    # -- policies around attempts ---------------------------------------------------------

    def _with_policies(
        self, call: _Call, target_name: str, target: TargetPolicy, start: float
    ) -> OutboundResponse:
        retry = target.retry
        retry_allowed = may_retry(call.method, call.headers)
        attempt = 0
        while True:
            attempt += 1
            ticket = self._gate(target_name, target)
            try:
                response = self._follow_redirects(call)
            except OutboundConnectionError as exc:
                self._settle(ticket, target, failed=True)
                retryable = exc.retryable and retry.retry_connection_errors and retry_allowed
                delay = retry.delay(attempt, self.rng)
                if retryable and attempt < retry.max_attempts and self._fits(call, delay):
                    self.sleep(delay)
                    continue
                raise
            except OutboundError:
                self._settle(ticket, target, failed=None)
                raise
            # A 429 says nothing about the target's health; a 5xx is a failure.
            self._settle(
                ticket, target, failed=None if response.status == 429 else response.status >= 500
            )
            retry_after = None
            if response.status in (429, 503):
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"), now=self.clock()
                )
            if response.status == 429 and retry_after:
                self.limiter.pause(target_name, retry_after)
            if response.status in retry.retry_statuses and retry_allowed:
                delay = max(retry.delay(attempt, self.rng), retry_after or 0.0)
                if (
                    attempt < retry.max_attempts
                    and delay <= retry.max_delay
                    and self._fits(call, delay)
                ):
                    self.sleep(delay)
                    continue
            return _with_attempts(response, attempt, time.perf_counter() - start)

    def _gate(self, target_name: str, target: TargetPolicy) -> BreakerTicket | None:
        """Wait for the target's rate limit, then pass its breaker (``RateLimited`` or
        ``CircuitOpen`` when the call may not go now); the ticket settles the attempt."""
        self.limiter.acquire(target_name, target.rate_limit, max_wait=target.max_wait)
        if target.breaker is None:
            return None
        return self.breaker.before(target_name, target.breaker)

    def _settle(
        self, ticket: BreakerTicket | None, target: TargetPolicy, *, failed: bool | None
    ) -> None:
        """Tell the breaker how the attempt went: failed, succeeded, or None (no verdict on
        the target's health: refused by policy, a 429)."""
        if ticket is None or target.breaker is None:
            return
        if failed is None:
            self.breaker.neutral(ticket)
        elif failed:
            self.breaker.failure(ticket, target.breaker)
        else:
            self.breaker.success(ticket)

    @staticmethod
    def _status(response: OutboundResponse) -> tuple[int, OutboundResponse]:
        return response.status, response

    def _fits(self, call: _Call, delay: float) -> bool:
        return call.deadline is None or time.perf_counter() + delay < call.deadline

    # -- one attempt: hops --------------------------------------------------------------

    def _follow_redirects(self, call: _Call) -> OutboundResponse:
        method, url = call.method, call.url
        headers = dict(call.headers)
        params: list[tuple[str, str]] = list(call.params)
        body_json, body_data = call.json, call.data
        hop_start = time.perf_counter()
        for hop in range(self.max_redirects + 1):
            outgoing = OutgoingRequest(
                method=method, url=url, headers=dict(headers), params=list(params)
            )
            if call.auth is not None and _origin(url) == call.origin:
                call.auth.inject(outgoing)
            prepared = self._prepare(outgoing, body_json, body_data, call.secrets)
            if call.auth is not None and _origin(url) == call.origin and hasattr(call.auth, "sign"):
                call.auth.sign(prepared)  # a signature covers the finished request (SigV4)
            self.policy.check_url(prepared.url or "")
            host = _origin(prepared.url or "")[1]
            raw = self._send(prepared, call, host)
            location = raw.headers.get("location")
            if call.allow_redirects and raw.status_code in REDIRECT_STATUSES and location:
                raw.close()
                if hop == self.max_redirects:
                    raise TooManyRedirects(host, self.max_redirects)
                next_url = requote_uri(urljoin(prepared.url or url, location))
                try:
                    self.policy.check_url(next_url)
                except InvalidRequest as exc:
                    raise BlockedDestination(host, f"redirect refused: {exc}") from None
                if (raw.status_code == 303 and method != "HEAD") or (
                    raw.status_code in (301, 302) and method == "POST"
                ):
                    method, body_json, body_data = "GET", None, None
                    headers = {k: v for k, v in headers.items() if k.lower() not in BODY_HEADERS}
                if _origin(next_url) != call.origin:
                    headers = {
                        k: v for k, v in headers.items() if k.lower() not in CROSS_ORIGIN_DROP
                    }
                url, params = next_url, []
                continue
            body = self._read_body(raw, call, host)
            return OutboundResponse(
                status=raw.status_code,
                headers=CaseInsensitiveDict(raw.headers),
                body=body,
                url=redact(prepared.url or url, call.secrets),  # an API key may be in the query
                elapsed=time.perf_counter() - hop_start,
                redirects=hop,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        merged = {
            "User-Agent": self.user_agent,
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        for name, value in (headers or {}).items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise InvalidRequest("header names and values must be strings")
            if any(c in name for c in "\r\n:") or "\r" in value or "\n" in value:
                raise InvalidRequest(
                    f"header {' '.join(name.split())[:40]!r} has an invalid name "
                    "or a line break in its value"
                )
            if name.lower() == "host":
                continue  # the transport sets Host from the URL it checked
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
        return merged

    def _prepare(
        self, outgoing: OutgoingRequest, body_json: Any, body_data: Any, secrets: tuple[str, ...]
    ) -> requests.PreparedRequest:
        try:
            return requests.Request(
                method=outgoing.method,
                url=outgoing.url,
                headers=outgoing.headers,
                params=outgoing.params or None,
                json=body_json,
                data=body_data,
            ).prepare()
        except requests.RequestException as exc:
            raise InvalidRequest(
                redact(f"invalid request: {type(exc).__name__}", secrets)
            ) from None
        except (TypeError, ValueError) as exc:  # e.g. a body json cannot encode
            raise InvalidRequest(f"invalid request body: {type(exc).__name__}") from None

    def _send(self, prepared: requests.PreparedRequest, call: _Call, host: str) -> Any:
        timeout = call.timeout
        if call.deadline is not None:
            remaining = call.deadline - time.perf_counter()
            if remaining <= 0:
                raise OutboundTimeout(f"total deadline exceeded before contacting {host!r}")
            timeout = (
                (min(timeout[0], remaining), min(timeout[1], remaining))
                if isinstance(timeout, tuple)
                else min(timeout, remaining)
            )
        try:
            return self._adapter.send(prepared, stream=True, timeout=timeout, verify=self.verify)
        except OutboundError:
            raise
        except requests.exceptions.ConnectTimeout:
            raise OutboundTimeout(f"connecting to {host!r} timed out") from None
        except requests.exceptions.ReadTimeout:
            raise OutboundTimeout(f"waiting for {host!r} timed out") from None
        except requests.exceptions.SSLError as exc:
            reason = redact(_describe(exc), call.secrets)
            raise OutboundTLSError(f"TLS with {host!r} failed: {reason}") from None
        except requests.exceptions.ConnectionError as exc:
            reason = redact(_describe(exc), call.secrets)
            raise OutboundConnectionError(f"connection to {host!r} failed: {reason}") from None
        except requests.RequestException as exc:
            raise InvalidRequest(f"request to {host!r} failed: {type(exc).__name__}") from None

    def _read_body(self, raw: Any, call: _Call, host: str) -> bytes:
        try:
            declared = raw.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > call.max_bytes:
                raise ResponseTooLarge(host, call.max_bytes)
            body = bytearray()
            # `read1` returns what has arrived (at most 64 KiB) instead of waiting for a full
            # chunk, so the total deadline is checked at every read: a peer sending one byte
            # per read timeout cannot hold the call until the end of its body.
            read1 = getattr(raw.raw, "read1", None)
            chunks = (
                iter(lambda: read1(64 * 1024, decode_content=True), b"")
                if read1 is not None
                else raw.iter_content(chunk_size=64 * 1024)
            )
            for chunk in chunks:
                body += chunk
                if len(body) > call.max_bytes:
                    raise ResponseTooLarge(host, call.max_bytes)
                if call.deadline is not None and time.perf_counter() > call.deadline:
                    raise OutboundTimeout(f"total deadline exceeded reading from {host!r}")
            return bytes(body)
        except OutboundError:
            raise
        except requests.exceptions.ConnectionError as exc:  # read timeouts land here
            root = _root_cause(exc)
            if isinstance(root, TimeoutError) or "timeout" in type(root).__name__.lower():
                raise OutboundTimeout(f"reading from {host!r} timed out") from None
            reason = redact(_describe(exc), call.secrets)
            raise OutboundConnectionError(f"reading from {host!r} failed: {reason}") from None
        except requests.RequestException as exc:
            raise OutboundConnectionError(
                f"reading from {host!r} failed: {type(exc).__name__}"
            ) from None
        finally:
            raw.close()

    @staticmethod
    def _observe(target: TargetPolicy, status: int | None, start: float) -> None:
        metrics.api_call_finished(
            target_key=target.key, status=status, seconds=time.perf_counter() - start
        )

    @staticmethod
    def _log(
        event: str, *, method: str, host: str, target: str, start: float, **fields: Any
    ) -> None:
        logger.info(
            event,
            extra={
                "outbound_target": target,
                "outbound_method": method,
                "outbound_host": host,
                "outbound_elapsed_ms": round((time.perf_counter() - start) * 1000, 1),
                **{f"outbound_{k}": v for k, v in fields.items()},
            },
        )


def _params(params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> list[tuple[str, str]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out.extend((str(key), str(v)) for v in value)
        else:
            out.append((str(key), str(value)))
    return out


def _with_attempts(response: OutboundResponse, attempts: int, elapsed: float) -> OutboundResponse:
    return OutboundResponse(
        status=response.status,
        headers=response.headers,
        body=response.body,
        url=response.url,
        elapsed=elapsed,
        attempts=attempts,
        redirects=response.redirects,
    )
