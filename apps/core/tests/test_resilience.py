"""The shared resilience mechanisms on a fake clock: store, breaker, rate window, back-off."""

import email.utils

import pytest

from apps.core.resilience.breaker import BreakerOpen, CircuitBreaker
from apps.core.resilience.ratelimit import RateLimiter
from apps.core.resilience.retry import backoff_delay, parse_retry_after
from apps.core.resilience.store import InMemoryStore, KeyValueStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


# -- the store -----------------------------------------------------------------------------


def test_in_memory_store_follows_django_cache_semantics(clock: Clock) -> None:
    store = InMemoryStore(clock=clock)
    assert isinstance(store, KeyValueStore)
    assert store.get("k") is None and store.get("k", 7) == 7
    assert store.add("k", 1, 10) is True
    assert store.add("k", 2, 10) is False
    assert store.incr("k") == 2 and store.incr("k", 5) == 7
    with pytest.raises(ValueError):
        store.incr("missing")
    clock.now += 10
    assert store.get("k") is None  # expired
    store.set("forever", "v", None)
    store.set("gone", "v", 0)
    clock.now += 10**9
    assert store.get("forever") == "v" and store.get("gone") is None
    assert store.delete("forever") is True and store.delete("forever") is False


# -- breaker -------------------------------------------------------------------------------


def test_breaker_transitions(clock: Clock) -> None:
    breaker = CircuitBreaker(InMemoryStore(clock=clock), clock=clock)

    def call(ok: bool) -> None:
        ticket = breaker.before("b", reset_after_s=10)
        if ok:
            breaker.success(ticket)
        else:
            breaker.failure(ticket, failure_threshold=2)

    assert breaker.state("b", reset_after_s=10) == "closed"
    call(ok=False)
    assert breaker.state("b", reset_after_s=10) == "closed"
    call(ok=True)  # success resets the consecutive count
    call(ok=False)
    assert breaker.state("b", reset_after_s=10) == "closed"
    call(ok=False)
    assert breaker.state("b", reset_after_s=10) == "open"
    with pytest.raises(BreakerOpen) as refused:
        breaker.before("b", reset_after_s=10)
    assert refused.value.retry_after == pytest.approx(10)
    clock.now += 10
    assert breaker.state("b", reset_after_s=10) == "half_open"
    probe = breaker.before("b", reset_after_s=10)
    assert probe.probe
    with pytest.raises(BreakerOpen):  # one probe at a time
        breaker.before("b", reset_after_s=10)
    breaker.failure(probe, failure_threshold=2)
    assert breaker.state("b", reset_after_s=10) == "open"  # re-opened at once
    clock.now += 10
    probe = breaker.before("b", reset_after_s=10)
    breaker.neutral(probe)  # a probe that said nothing frees the claim
    probe = breaker.before("b", reset_after_s=10)
    breaker.success(probe)
    assert breaker.state("b", reset_after_s=10) == "closed"
    assert not breaker.before("b", reset_after_s=10).probe


def test_breaker_forgets_failures_after_the_window(clock: Clock) -> None:
    breaker = CircuitBreaker(InMemoryStore(clock=clock), clock=clock)
    breaker.failure(breaker.before("w", reset_after_s=5), failure_threshold=2, failure_window_s=60)
    clock.now += 62
    breaker.failure(breaker.before("w", reset_after_s=5), failure_threshold=2, failure_window_s=60)
    assert breaker.state("w", reset_after_s=5) == "closed"


# -- rate limiter --------------------------------------------------------------------------


def test_rate_limiter_sliding_window(clock: Clock) -> None:
    limiter = RateLimiter(InMemoryStore(clock=clock), clock=clock)
    clock.now = 6000.0  # the start of a 10 s window

    def acquire() -> float:
        return limiter.acquire("r", limit=3, period_s=10)

    assert [acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert acquire() == pytest.approx(10)  # this window is full: wait for the next
    clock.now += 10  # new window, but the previous one still weighs fully at its start
    assert acquire() > 0
    clock.now += 5  # half of the previous window's 3 calls still count: 1.5 + 1 <= 3
    assert acquire() == 0.0
    clock.now += 20
    assert [acquire() for _ in range(3)] == [0.0, 0.0, 0.0]


# -- back-off and Retry-After ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        ("exponential", [1.0, 2.0, 4.0, 5.0]),
        ("linear", [1.0, 2.0, 3.0, 4.0]),
        ("fixed", [1.0, 1.0, 1.0, 1.0]),
    ],
)
def test_backoff_kinds(backoff, expected: list[float]) -> None:
    def delay(n: int, rand: float) -> float:
        return backoff_delay(backoff, n, base_s=1.0, max_s=5.0, jitter=0.5, rand=lambda: rand)

    assert [delay(n, 0.0) for n in (1, 2, 3, 4)] == expected
    assert delay(1, 1.0) == 0.5  # jitter only shortens
    assert max(delay(n, 0.0) for n in range(1, 20)) <= 5.0  # the cap stays a cap


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), (" 0 ", 0.0), ("", None), (None, None), ("soon", None), ("-1", None)],
)
def test_parse_retry_after(value, expected) -> None:
    assert parse_retry_after(value, now=0.0) == expected


def test_parse_retry_after_date_in_the_past_is_zero() -> None:
    past = email.utils.formatdate(1_000, usegmt=True)
    assert parse_retry_after(past, now=2_000.0) == 0.0
