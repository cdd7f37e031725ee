from __future__ import annotations

import random
import threading
import time

import pytest

from apps.blocks.sdk import (
    BlockResult,
    BlockSpec,
    BreakerPolicy,
    CachePolicy,
    Category,
    Policies,
    RateLimitPolicy,
    RetryPolicy,
)
from apps.workflows.engine.policies import (
    backoff_delay,
    merge_policies,
    orphan_count,
)
from apps.workflows.engine.tests.helpers import ANY_OBJECT, Env, GraphBuilder


def flaky_graph(**policies) -> dict:
    g = GraphBuilder().trigger("t").node("f", "flaky", fail_times=2, policies=policies or None)
    return g.chain("t", "f").build()


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        ("fixed", [2.0, 2.0, 2.0, 2.0]),
        ("linear", [2.0, 4.0, 6.0, 8.0]),
        ("exponential", [2.0, 4.0, 8.0, 10.0]),  # capped by max_s
    ],
)
def test_backoff_shapes(backoff, expected):
    policy = RetryPolicy(backoff=backoff, base_s=2.0, max_s=10.0, jitter=0.0)
    assert [backoff_delay(policy, n, random.Random(1)) for n in range(1, 5)] == expected


def test_jitter_stays_within_bounds():
    policy = RetryPolicy(backoff="fixed", base_s=10.0, jitter=0.2)
    rng = random.Random(3)
    delays = {backoff_delay(policy, 1, rng) for _ in range(200)}
    assert min(delays) >= 8.0 and max(delays) <= 12.0 and len(delays) > 100


@pytest.mark.parametrize("backoff", ["fixed", "linear", "exponential"])
def test_retry_until_success_sleeping_short_backoffs(env: Env, backoff):
    out = env.run(
        flaky_graph(retry={"max_attempts": 3, "backoff": backoff, "base_s": 1.0, "jitter": 0})
    )
    assert out.status == "succeeded"
    assert out.steps["f"].attempts == 3
    assert (
        env.clock.sleeps
        == {"fixed": [1.0, 1.0], "linear": [1.0, 2.0], "exponential": [1.0, 2.0]}[backoff]
    )


def test_retries_exhausted(env: Env):
    out = env.run(flaky_graph(retry={"max_attempts": 2}))
    assert out.status == "failed" and out.error.attempts == 2 and out.error.code == "flaky"


def test_non_retryable_errors_are_never_retried(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("f", "flaky", fail_times=5, retryable=False)
        .chain("t", "f")
    )
    out = env.run(g.build())
    assert out.error.attempts == 1 and env.fakes.count("f") == 1


def test_validation_errors_are_never_retried(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items="{{ trigger.n }}", policies={"retry": {"max_attempts": 5}})
        .chain("t", "l")
    )
    out = env.run(g.build(), {"n": 1})
    assert out.error.code == "invalid_config" and out.error.attempts == 0


def test_long_backoff_parks_instead_of_sleeping(env: Env):
    graph = flaky_graph(
        retry={"max_attempts": 3, "backoff": "fixed", "base_s": 60, "jitter": 0, "park_after_s": 5}
    )
    first = env.run(graph)
    assert first.status == "waiting" and env.clock.sleeps == []
    assert first.wake_at == env.clock.now().replace(minute=1)
    assert first.steps["f"].park.kind == "retry" and first.awaiting == ()
    assert env.run(graph).status == "waiting"  # woken too early: nothing is called
    assert env.fakes.count("f") == 1
    env.clock.advance(60)
    assert env.run(graph).status == "waiting"  # second failure parks again
    env.clock.advance(60)
    out = env.run(graph)
    assert out.status == "succeeded" and out.steps["f"].attempts == 3
    assert env.fakes.count("f") == 3


def test_timeout_on_a_blocking_call(env: Env):
    env.fakes.events["never"] = threading.Event()
    g = (
        GraphBuilder()
        .trigger("t")
        .node("s", "slow", event="never", max_wait=2, policies={"timeout_s": 0.1})
        .chain("t", "s")
    )
    before = orphan_count()
    started = time.monotonic()
    out = env.run(g.build())
    assert time.monotonic() - started < 1.0
    assert out.status == "failed" and out.error.code == "timeout"
    assert orphan_count() == before + 1
    env.fakes.events["never"].set()
    for _ in range(100):
        if orphan_count() == before:
            break
        time.sleep(0.01)
    assert orphan_count() == before


def test_timeout_is_retryable(env: Env):
    calls = {"n": 0}

    def first_slow(ctx, config, inputs):
        calls["n"] += 1
        if calls["n"] == 1:
            time.sleep(0.3)
        return BlockResult(outputs={"n": calls["n"], "deadline": ctx.deadline is not None})

    env.registry.register(
        BlockSpec(
            key="first_slow",
            version=1,
            title="x",
            category=Category.HTTP,
            config_schema=ANY_OBJECT,
            policies=Policies(timeout_s=0.05, retry=RetryPolicy(max_attempts=2, base_s=0.0)),
        ),
        first_slow,
    )
    out = env.run(GraphBuilder().trigger("t").node("a", "first_slow").chain("t", "a").build())
    assert out.output == {"n": 2, "deadline": True}


def test_open_breaker_fails_fast_in_a_run(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node(
            "f",
            "flaky",
            fail_times=99,
            policies={
                "retry": {"max_attempts": 1},
                "breaker": {"failure_threshold": 2, "reset_after_s": 30},
            },
        )
        .chain("t", "f")
    )
    for i in range(2):
        assert env.run(g.build(), execution_id=f"ex-{i}").error.code == "flaky"
    out = env.run(g.build(), execution_id="ex-3")
    assert out.error.code == "circuit_open"
    assert env.fakes.count("f") == 2


def test_rate_limit_sleeps_short_waits_and_parks_long_ones(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", policies={"rate_limit": {"limit": 1, "per_s": 2}})
        .chain("t", "a")
    )
    assert env.run(g.build(), execution_id="ex-1").status == "succeeded"
    assert env.run(g.build(), execution_id="ex-2").status == "succeeded"
    assert env.clock.sleeps and env.clock.sleeps[0] <= 2
    slow = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", policies={"rate_limit": {"limit": 1, "per_s": 60}})
        .chain("t", "a")
    )
    assert env.run(slow.build(), execution_id="ex-3").status == "succeeded"
    parked = env.run(slow.build(), execution_id="ex-4")
    assert parked.status == "waiting" and parked.steps["a"].park.kind == "rate_limit"
    env.clock.advance(120)
    assert env.run(slow.build(), execution_id="ex-4").status == "succeeded"


def test_rate_limit_is_per_workspace(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", policies={"rate_limit": {"limit": 1, "per_s": 60}})
        .chain("t", "a")
    )
    assert env.run(g.build(), execution_id="ex-1", workspace_id="w1").status == "succeeded"
    assert env.run(g.build(), execution_id="ex-2", workspace_id="w2").status == "succeeded"
    assert env.run(g.build(), execution_id="ex-3", workspace_id="w1").status == "waiting"


def test_result_cache_with_key_expression_and_ttl(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node(
            "a",
            "record",
            value="{{ trigger.q }}",
            noise="{{ trigger.noise }}",
            policies={"cache": {"ttl_s": 60, "key": "config.value"}},
        )
        .chain("t", "a")
    )
    first = env.run(g.build(), {"q": "x", "noise": 1}, execution_id="ex-1")
    second = env.run(g.build(), {"q": "x", "noise": 2}, execution_id="ex-2")
    assert env.fakes.count("a") == 1
    assert second.steps["a"].cached and second.output == first.output
    env.run(g.build(), {"q": "y", "noise": 2}, execution_id="ex-3")
    assert env.fakes.count("a") == 2
    env.clock.advance(61)
    env.run(g.build(), {"q": "x", "noise": 3}, execution_id="ex-4")
    assert env.fakes.count("a") == 3


def test_node_policies_override_block_defaults():
    defaults = Policies(
        timeout_s=5,
        retry=RetryPolicy(max_attempts=3),
        breaker=BreakerPolicy(),
        cache=CachePolicy(ttl_s=1),
    )
    merged = merge_policies(
        defaults,
        {
            "retry": {"backoff": "fixed"},
            "breaker": None,
            "rate_limit": {"limit": 2, "per_s": 1},
            "cache": {"ttl_s": 9},
        },
    )
    assert merged.timeout_s == 5
    assert merged.retry == RetryPolicy(max_attempts=3, backoff="fixed")
    assert merged.breaker is None
    assert merged.rate_limit == RateLimitPolicy(limit=2, per_s=1)
    assert merged.cache == CachePolicy(ttl_s=9)


def test_refused_calls_do_not_keep_the_breaker_open(env: Env):
    policies = {
        "retry": {"max_attempts": 1},
        "breaker": {"failure_threshold": 1, "reset_after_s": 30},
    }
    failing = (
        GraphBuilder()
        .trigger("t")
        .node("f", "flaky", fail_times=1, policies=policies)
        .chain("t", "f")
        .build()
    )
    assert env.run(failing, execution_id="ex-1").error.code == "flaky"  # opens the breaker
    env.clock.advance(20)
    assert env.run(failing, execution_id="ex-2").error.code == "circuit_open"
    env.clock.advance(10)  # 30 s after opening, whatever was refused in between
    out = env.run(failing, execution_id="ex-3")
    assert out.status == "succeeded"  # the half-open trial call went through and closed it


def test_bad_cache_key_expression_fails_the_step(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", policies={"cache": {"ttl_s": 5, "key": "length(`1`)"}})
        .chain("t", "a")
    )
    out = env.run(g.build())
    assert out.error.code == "expression_error" and env.fakes.count("a") == 0
