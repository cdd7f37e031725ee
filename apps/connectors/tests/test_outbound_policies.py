"""Retry, rate limit, circuit breaker and metrics, against a live loopback server.

Time is a fake clock whose ``sleep`` advances it, so back-offs and Retry-After are asserted
exactly and the suite does not wait.
"""

import email.utils
import socket

import pytest
from django.core.cache.backends.locmem import LocMemCache

from apps.connectors.outbound import (
    BreakerPolicy,
    CircuitOpen,
    InMemoryStore,
    KeyValueStore,
    OutboundClient,
    OutboundConnectionError,
    RateLimited,
    RateLimitPolicy,
    RetryPolicy,
    SSRFPolicy,
    TargetPolicy,
)
from apps.connectors.outbound.testing import LocalServer, Reply, connections_guard


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture(autouse=True)
def _loopback_only():
    with connections_guard():
        yield


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_client(server: LocalServer, clock: FakeClock, store=None, **kwargs) -> OutboundClient:
    return OutboundClient(
        SSRFPolicy(allowlist=[server.netloc]),
        store=store if store is not None else InMemoryStore(clock=clock),
        clock=clock,
        sleep=clock.sleep,
        rng=lambda: 0.0,  # no jitter: exact delays
        **kwargs,
    )


RETRY = RetryPolicy(max_attempts=3, backoff="exponential", base_delay=0.5, max_delay=10)


# -- retry ----------------------------------------------------------------------------------


def test_retry_on_503_then_success(server: LocalServer, clock: FakeClock) -> None:
    server.route("/flaky", Reply(503), Reply(502), Reply(200, body=b"ok"))
    client = make_client(server, clock)
    response = client.request("GET", server.url("/flaky"), target=TargetPolicy(retry=RETRY))
    assert response.status == 200 and response.body == b"ok"
    assert response.attempts == 3
    assert clock.sleeps == [0.5, 1.0]
    assert len(server.requests) == 3
    metrics = client.metrics(server.netloc)
    assert (metrics.calls_total, metrics.succeeded, metrics.failed) == (1, 1, 0)
    assert metrics.last_success == clock.now


def test_retries_are_bounded_and_the_last_response_is_returned(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/down", Reply(500))
    client = make_client(server, clock)
    response = client.request("GET", server.url("/down"), target=TargetPolicy(retry=RETRY))
    assert response.status == 500 and response.attempts == 3
    assert len(server.requests) == 3
    metrics = client.metrics(server.netloc)
    assert metrics.failed == 1 and metrics.last_error["error"] == "HTTP 500"


def test_post_is_not_retried_without_an_idempotency_key(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/charge", Reply(503), Reply(200))
    client = make_client(server, clock, default_target=TargetPolicy(retry=RETRY))
    assert client.post(server.url("/charge"), json={}).status == 503
    assert len(server.requests) == 1
    response = client.post(
        server.url("/charge"), json={}, headers={"Idempotency-Key": "run-1:node-2"}
    )
    assert response.status == 200 and len(server.requests) == 2


def test_4xx_is_not_retried(server: LocalServer, clock: FakeClock) -> None:
    server.route("/bad", Reply(400))
    client = make_client(server, clock, default_target=TargetPolicy(retry=RETRY))
    assert client.get(server.url("/bad")).status == 400
    assert len(server.requests) == 1 and clock.sleeps == []


def test_connection_errors_are_retried_for_idempotent_calls(clock: FakeClock) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = OutboundClient(
        SSRFPolicy(allowlist=["127.0.0.1/32"]), clock=clock, sleep=clock.sleep, rng=lambda: 0
    )
    with pytest.raises(OutboundConnectionError):
        client.get(f"http://127.0.0.1:{port}/", target=TargetPolicy(retry=RETRY))
    assert clock.sleeps == [0.5, 1.0]
    clock.sleeps.clear()
    with pytest.raises(OutboundConnectionError):
        client.post(f"http://127.0.0.1:{port}/", target=TargetPolicy(retry=RETRY))
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        ("exponential", [1.0, 2.0, 4.0, 5.0]),
        ("linear", [1.0, 2.0, 3.0, 4.0]),
        ("fixed", [1.0, 1.0, 1.0, 1.0]),
    ],
)
def test_backoff_kinds(backoff: str, expected: list[float]) -> None:
    policy = RetryPolicy(backoff=backoff, base_delay=1.0, max_delay=5.0, jitter=0.5)  # type: ignore[arg-type]
    assert [policy.delay(n, rng=lambda: 0.0) for n in (1, 2, 3, 4)] == expected
    assert policy.delay(1, rng=lambda: 1.0) == 0.5  # jitter only shortens


# -- 429 and Retry-After --------------------------------------------------------------------------


def test_429_retry_after_is_honoured(server: LocalServer, clock: FakeClock) -> None:
    server.route("/limited", Reply(429, {"Retry-After": "3"}), Reply(200, body=b"ok"))
    client = make_client(server, clock)
    response = client.get(server.url("/limited"), target=TargetPolicy(retry=RETRY))
    assert response.status == 200
    assert clock.sleeps == [3.0]  # Retry-After wins over the 0.5 s back-off


def test_retry_after_http_date(server: LocalServer, clock: FakeClock) -> None:
    when = email.utils.formatdate(clock.now + 4, usegmt=True)
    server.route("/limited", Reply(429, {"Retry-After": when}), Reply(200))
    client = make_client(server, clock)
    assert client.get(server.url("/limited"), target=TargetPolicy(retry=RETRY)).status == 200
    assert clock.sleeps == [4.0]


def test_long_retry_after_pauses_the_target_for_everyone(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/limited", Reply(429, {"Retry-After": "120"}), Reply(200))
    store = InMemoryStore(clock=clock)
    client = make_client(server, clock, store=store)
    worker_b = make_client(server, clock, store=store)  # another worker, same shared store

    response = client.get(server.url("/limited"), target=TargetPolicy(retry=RETRY))
    assert response.status == 429 and response.attempts == 1  # 120 s is not waited inline
    assert clock.sleeps == []
    with pytest.raises(RateLimited) as excinfo:
        worker_b.get(server.url("/limited"))
    assert excinfo.value.retry_after == pytest.approx(120)
    assert len(server.requests) == 1  # the paused call never reached the server

    clock.now += 121
    assert worker_b.get(server.url("/limited")).status == 200
    metrics = client.metrics(server.netloc)
    assert (metrics.calls_total, metrics.rate_limited, metrics.succeeded) == (3, 2, 1)


def test_short_pause_is_waited_inline(server: LocalServer, clock: FakeClock) -> None:
    server.route("/limited", Reply(429, {"Retry-After": "1"}), Reply(200))
    client = make_client(server, clock, default_target=TargetPolicy(retry=RetryPolicy(1)))
    assert client.get(server.url("/limited")).status == 429
    assert client.get(server.url("/limited")).status == 200  # waited 1 s (max_wait=1)
    assert clock.sleeps == [1.0]


# -- local rate limit ------------------------------------------------------------------------------


def test_rate_limit_raises_when_the_wait_is_too_long(server: LocalServer, clock: FakeClock) -> None:
    server.route("/", Reply(200))
    target = TargetPolicy(key="connector:demo", rate_limit=RateLimitPolicy(2, 60, max_wait=0))
    client = make_client(server, clock)
    clock.now = 6000.0  # start of a window
    client.get(server.url("/"), target=target)
    client.get(server.url("/"), target=target)
    with pytest.raises(RateLimited) as excinfo:
        client.get(server.url("/"), target=target)
    assert excinfo.value.retry_after == pytest.approx(60)
    assert len(server.requests) == 2
    assert client.metrics("connector:demo").rate_limited == 1
    clock.now += 60  # a sliding window: the previous window still weighs fully at its start
    with pytest.raises(RateLimited):
        client.get(server.url("/"), target=target)
    clock.now += 30  # half of its 2 calls still count: 1 + 1 <= 2
    client.get(server.url("/"), target=target)
    assert len(server.requests) == 3


def test_rate_limit_waits_for_the_next_window(server: LocalServer, clock: FakeClock) -> None:
    server.route("/", Reply(200))
    target = TargetPolicy(rate_limit=RateLimitPolicy(limit=1, period=1.0, max_wait=2.0))
    client = make_client(server, clock)
    clock.now = 100.25
    client.get(server.url("/"), target=target)
    client.get(server.url("/"), target=target)
    # The rest of this window, then until the previous window's call weighs no more.
    assert clock.sleeps == [0.75, 1.0]
    assert len(server.requests) == 2


# -- circuit breaker -------------------------------------------------------------------------------


def test_breaker_opens_after_n_failures_and_half_opens(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/", Reply(500), Reply(500), Reply(500), Reply(500), Reply(200))
    policy = BreakerPolicy(failure_threshold=3, reset_timeout=30)
    target = TargetPolicy(key="connector:flaky", retry=RetryPolicy(1), breaker=policy)
    client = make_client(server, clock)

    for _ in range(3):
        assert client.get(server.url("/"), target=target).status == 500
    assert client.breaker.state("connector:flaky", policy) == "open"
    with pytest.raises(CircuitOpen) as excinfo:
        client.get(server.url("/"), target=target)
    assert excinfo.value.retry_after == pytest.approx(30)
    assert len(server.requests) == 3  # open: nothing sent

    clock.now += 31
    assert client.breaker.state("connector:flaky", policy) == "half_open"
    assert client.get(server.url("/"), target=target).status == 500  # the probe fails
    assert client.breaker.state("connector:flaky", policy) == "open"  # re-opened at once
    with pytest.raises(CircuitOpen):
        client.get(server.url("/"), target=target)

    clock.now += 31
    assert client.get(server.url("/"), target=target).status == 200  # the probe succeeds
    assert client.breaker.state("connector:flaky", policy) == "closed"
    assert len(server.requests) == 5
    metrics = client.metrics("connector:flaky")
    assert (metrics.calls_total, metrics.failed, metrics.succeeded) == (7, 6, 1)
    assert metrics.last_success == clock.now


def test_only_one_probe_while_half_open(server: LocalServer, clock: FakeClock) -> None:
    server.route("/", Reply(500), Reply(200))
    policy = BreakerPolicy(failure_threshold=1, reset_timeout=10)
    target = TargetPolicy(key="t", retry=RetryPolicy(1), breaker=policy)
    store = InMemoryStore(clock=clock)
    worker_a = make_client(server, clock, store=store)
    worker_b = make_client(server, clock, store=store)
    worker_a.get(server.url("/"), target=target)
    assert worker_b.breaker.state("t", policy) == "open"  # shared through the store
    clock.now += 11
    ticket = worker_a.breaker.before("t", policy)  # worker A holds the probe
    assert ticket.probe
    with pytest.raises(CircuitOpen):
        worker_b.get(server.url("/"), target=target)
    worker_a.breaker.success(ticket)
    assert worker_b.get(server.url("/"), target=target).status == 200


def test_a_success_resets_the_failure_count(server: LocalServer, clock: FakeClock) -> None:
    server.route("/", Reply(500), Reply(200), Reply(500), Reply(500))
    policy = BreakerPolicy(failure_threshold=3, reset_timeout=30)
    target = TargetPolicy(key="t2", retry=RetryPolicy(1), breaker=policy)
    client = make_client(server, clock)
    for _ in range(4):
        client.get(server.url("/"), target=target)
    assert client.breaker.state("t2", policy) == "closed"


def test_breaker_opening_stops_retries(server: LocalServer, clock: FakeClock) -> None:
    server.route("/", Reply(503))
    target = TargetPolicy(
        key="t3",
        retry=RetryPolicy(max_attempts=5, base_delay=0.1),
        breaker=BreakerPolicy(failure_threshold=2, reset_timeout=60),
    )
    client = make_client(server, clock)
    with pytest.raises(CircuitOpen):
        client.get(server.url("/"), target=target)
    assert len(server.requests) == 2


# -- policies ------------------------------------------------------------------------------------


def test_target_policy_validation() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RateLimitPolicy(limit=0)
    with pytest.raises(ValueError):
        BreakerPolicy(failure_threshold=0)


def test_target_policies_hook_and_odd_target_keys(server: LocalServer, clock: FakeClock) -> None:
    server.route("/", Reply(200))
    seen: list[str] = []

    def policies(name: str) -> TargetPolicy:
        seen.append(name)
        return TargetPolicy(key="connector with spaces/and slashes")

    client = make_client(server, clock, target_policies=policies)
    client.get(server.url("/"))
    assert seen == [server.netloc]
    assert client.metrics("connector with spaces/and slashes").succeeded == 1


def test_django_cache_backend_fits_the_store_protocol(
    server: LocalServer, clock: FakeClock
) -> None:
    """The Django side passes ``django.core.cache.cache``; its API must be enough."""
    cache = LocMemCache("outbound-tests", {})
    assert isinstance(cache, KeyValueStore)
    server.route("/", Reply(500), Reply(200))
    policy = BreakerPolicy(failure_threshold=1, reset_timeout=5)
    target = TargetPolicy(
        key="django-cache",
        retry=RetryPolicy(1),
        breaker=policy,
        rate_limit=RateLimitPolicy(limit=10, period=60),
    )
    client = make_client(server, clock, store=cache)
    assert client.get(server.url("/"), target=target).status == 500
    with pytest.raises(CircuitOpen):
        client.get(server.url("/"), target=target)
    clock.now += 6
    assert client.get(server.url("/"), target=target).status == 200
    metrics = client.metrics("django-cache")
    assert (metrics.calls_total, metrics.failed, metrics.succeeded) == (3, 2, 1)
