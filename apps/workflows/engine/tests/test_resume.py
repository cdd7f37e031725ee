"""Parking, waking, resuming, redelivery, cancellation, re-runs and single-node test runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from apps.blocks.sdk import SubWorkflowResult
from apps.workflows.engine.errors import UnknownNode
from apps.workflows.engine.tests.helpers import Env, GraphBuilder, make_env
from apps.workflows.engine.types import RunRequest, StepRecord, StepStatus


def delay_graph(**delay) -> dict:
    return (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", value=1)
        .node("d", "delay", **(delay or {"seconds": 300}))
        .node("b", "record", value=2)
        .chain("t", "a", "d", "b")
        .build()
    )


def test_delay_parks_and_wakes(env: Env):
    first = env.run(delay_graph())
    assert first.status == "waiting"
    assert first.wake_at == env.clock.now() + timedelta(seconds=300)
    assert first.awaiting == ()
    assert first.steps["d"].status is StepStatus.WAITING
    env.clock.advance(100)
    assert env.run(delay_graph()).status == "waiting"  # early wake-up: still parked
    env.clock.advance(200)
    out = env.run(delay_graph())
    assert out.status == "succeeded"
    assert env.fakes.count("a") == 1 and env.fakes.count("b") == 1  # a was not re-run
    assert out.steps["d"].output["until"] == first.wake_at.isoformat()


def test_delay_until_in_the_past_passes_through(env: Env):
    out = env.run(delay_graph(until="2000-01-01T00:00:00+00:00"))
    assert out.status == "succeeded"


def test_independent_branch_keeps_running_while_another_waits(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("d", "delay", seconds=60)
        .node("x", "record")
        .node("y", "record")
        .chain("t", "d", "x")
        .chain("t", "y")
    )
    out = env.run(g.build())
    assert out.status == "waiting" and env.fakes.count("y") == 1 and env.fakes.count("x") == 0


def wait_graph(**config) -> dict:
    return (
        GraphBuilder()
        .trigger("t")
        .node("w", "wait", **config)
        .node("next", "record", value="{{ nodes.w.output.payload.answer }}")
        .node("late", "record", value="timeout")
        .chain("t", "w", "next")
        .edge("w", "late", "timeout")
        .build()
    )


def test_wait_for_resume(env: Env):
    graph = wait_graph(mode="resume")
    first = env.run(graph)
    assert first.status == "waiting" and first.awaiting == ("w",) and first.wake_at is None
    assert env.run(graph).status == "waiting"  # no payload yet
    env.resume.resume("ex-1", "w", {"answer": 42})
    out = env.run(graph)
    assert out.status == "succeeded" and out.steps["next"].output["value"] == 42
    assert out.steps["late"].status == "skipped"


def test_wait_timeout_routes_or_fails(env: Env):
    routed = wait_graph(mode="resume", timeout_seconds=60, on_timeout="route")
    first = env.run(routed)
    assert first.wake_at == env.clock.now() + timedelta(seconds=60) and first.awaiting == ("w",)
    env.clock.advance(61)
    out = env.run(routed)
    assert out.status == "succeeded" and out.steps["late"].status == "succeeded"
    assert out.steps["next"].status == "skipped"

    failing = wait_graph(mode="resume", timeout_seconds=60)
    env.run(failing, execution_id="ex-2")
    env.clock.advance(61)
    out = env.run(failing, execution_id="ex-2")
    assert out.status == "failed" and out.error.code == "wait_timeout"


def test_wait_for_a_duration(env: Env):
    graph = wait_graph(mode="duration", seconds=10)
    assert env.run(graph).status == "waiting"
    env.clock.advance(10)
    assert env.run(graph).status == "succeeded"


def test_resume_after_redelivery_does_not_rerun_finished_steps(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", value=1)
        .node("b", "record", value=2)
        .node("c", "record", value="{{ nodes.b.output.value }}")
        .chain("t", "a", "b", "c")
    )
    reference = make_env()
    done = reference.run(g.build(), {"x": 1}, execution_id="ex-1")
    # The first worker finished t, a and b, then died while c was running.
    for key in ("t", "a", "b"):
        env.store.record_step("ex-1", done.steps[key])
    env.store.record_step(
        "ex-1",
        StepRecord(key="c", node_id="c", block="record@1", status=StepStatus.RUNNING, attempts=0),
    )
    out = env.run(g.build(), {"x": 1}, execution_id="ex-1")
    assert out.status == "succeeded"
    assert env.fakes.count("a") == 0 and env.fakes.count("b") == 0 and env.fakes.count("c") == 1
    assert out.steps["c"].output["value"] == 2
    assert out.steps["c"].lost == 1


def test_a_step_that_keeps_killing_its_worker_is_failed(env: Env):
    g = GraphBuilder().trigger("t").node("a", "record").chain("t", "a")
    env.store.record_step(
        "ex-1",
        StepRecord(key="a", node_id="a", block="record@1", status=StepStatus.RUNNING, lost=3),
    )
    out = env.run(g.build())
    assert out.status == "failed" and out.error.code == "worker_lost"
    assert env.fakes.count("a") == 0


def test_each_step_is_checkpointed_as_it_goes(env: Env):
    g = GraphBuilder().trigger("t").node("a", "record").chain("t", "a")
    env.run(g.build())
    # The trigger only computes: one write when finished. `a` has side effects: it is also
    # recorded as running before the call, so a worker dying inside it is noticed.
    assert env.store.writes == 3
    assert env.store.step("ex-1", "a").status is StepStatus.SUCCEEDED
    stored = env.store.step("ex-1", "a")
    assert StepRecord.from_dict(stored.to_dict()) == stored


def test_cancel_at_a_step_boundary(env: Env):
    g = GraphBuilder().trigger("t").node("a", "record").node("b", "record").chain("t", "a", "b")
    env.cancel.after = 2  # t and a pass the check, b does not
    out = env.run(g.build())
    assert out.status == "cancelled"
    assert set(out.steps) == {"t", "a"} and env.fakes.count("b") == 0


def test_cancel_inside_a_loop(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=[1, 2, 3])
        .node("x", "record", parent="l")
        .chain("t", "l")
    )
    env.cancel.after = 3  # t, l, x[0]
    out = env.run(g.build())
    assert out.status == "cancelled" and env.fakes.count("x") == 1


def test_rerun_from_a_node_reuses_upstream(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", value=1)
        .node("b", "record", value=2)
        .node("side", "record")
        .node("c", "record", value="{{ nodes.a.output.value }}")
        .chain("t", "a", "b", "c")
        .chain("t", "side")
    )
    first = env.run(g.build(), execution_id="ex-1")
    env.fakes.calls.clear()
    out = env.runner.rerun_from(g.build(), RunRequest("ex-2"), "b", first.steps)
    assert out.status == "succeeded"
    assert [n for n, _ in env.fakes.calls] == ["b", "c"]
    assert out.steps["c"].output["value"] == 1
    assert set(env.store.steps("ex-2")) == {"t", "a", "b", "side", "c"}
    with pytest.raises(UnknownNode):
        env.runner.rerun_from(g.build(), RunRequest("ex-3"), "ghost", first.steps)


def test_rerun_from_a_node_inside_a_loop_reruns_the_loop(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("pre", "record")
        .node("l", "loop", items=[1, 2])
        .node("x", "record", parent="l", value="{{ item }}")
        .chain("t", "pre", "l")
    )
    first = env.run(g.build())
    env.fakes.calls.clear()
    env.runner.rerun_from(g.build(), RunRequest("ex-2"), "x", first.steps)
    assert sorted(n for n, _ in env.fakes.calls) == ["x", "x"]


def test_rerun_after_a_failure(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record")
        .node("f", "flaky", fail_times=1, retryable=False)
        .chain("t", "a", "f")
    )
    first = env.run(g.build())
    assert first.status == "failed"
    out = env.runner.rerun_from(g.build(), RunRequest("ex-2"), "f", first.steps)
    assert out.status == "succeeded" and env.fakes.count("a") == 1


def test_single_node_test_run_with_pinned_input(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", value=1)
        .node(
            "b",
            "transform",
            mapping={
                "sum": "{{ nodes.a.output.value }}",
                "name": "{{ trigger.name }}",
                "v": "{{ vars.v }}",
            },
        )
        .chain("t", "a", "b")
    )
    record = env.runner.run_node(
        g.build(),
        "b",
        pinned={"trigger": {"name": "Ann"}, "nodes": {"a": {"value": 41}}, "vars": {"v": 1}},
    )
    assert record.status is StepStatus.SUCCEEDED
    assert record.output == {"sum": 41, "name": "Ann", "v": 1}
    assert record.input["inputs"] == {"a": {"value": 41}}
    assert env.store.writes == 0 and env.fakes.count("a") == 0


def test_single_node_test_run_inside_a_loop_body(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=[1])
        .node("x", "transform", parent="l", mapping={"v": "{{ item.n }}", "i": "{{ index }}"})
        .chain("t", "l")
    )
    record = env.runner.run_node(g.build(), "x", pinned={"item": {"n": 5}, "index": 2})
    assert record.output == {"v": 5, "i": 2} and record.key == "x[2]"


class FakeChildren:
    def __init__(self, status: str) -> None:
        self.status = status
        self.calls: list[dict] = []

    def run(self, *, workflow_id, version, payload, idempotency_key):
        self.calls.append(
            {
                "workflow_id": workflow_id,
                "version": version,
                "payload": payload,
                "key": idempotency_key,
            }
        )
        return SubWorkflowResult(
            status=self.status,
            output={"echo": payload},
            error="child broke",
            execution_id="child-1",
        )


def sub_graph() -> dict:
    return (
        GraphBuilder()
        .trigger("t")
        .node(
            "sub",
            "sub_workflow",
            workflow_id="wf-2",
            workflow_version=3,
            input={"n": "{{ trigger.n }}"},
        )
        .chain("t", "sub")
        .build()
    )


def test_sub_workflow_succeeds_and_fails_through_the_port(env: Env):
    children = FakeChildren("succeeded")
    env.runner = env.new_runner(sub_workflows=children)
    out = env.run(sub_graph(), {"n": 1})
    assert out.output == {"output": {"echo": {"n": 1}}, "execution_id": "child-1"}
    assert children.calls == [
        {"workflow_id": "wf-2", "version": 3, "payload": {"n": 1}, "key": "ex-1:sub"}
    ]
    env.runner = env.new_runner(sub_workflows=FakeChildren("failed"))
    out = env.run(sub_graph(), {"n": 1}, execution_id="ex-2")
    assert out.error.code == "sub_workflow_failed" and "child broke" in out.error.message


def test_waiting_sub_workflow_parks_the_parent_until_resumed(env: Env):
    env.runner = env.new_runner(sub_workflows=FakeChildren("waiting"))
    first = env.run(sub_graph(), {"n": 1})
    assert first.status == "waiting" and first.awaiting == ("sub",)
    env.resume.resume(
        "ex-1", "sub", {"status": "succeeded", "output": 7, "execution_id": "child-1"}
    )
    assert env.run(sub_graph(), {"n": 1}).output == {"output": 7, "execution_id": "child-1"}


def test_sub_workflow_without_a_port_fails_clearly(env: Env):
    assert env.run(sub_graph(), {"n": 1}).error.code == "not_configured"


def test_retry_wake_uses_remaining_attempts(env: Env):
    graph = (
        GraphBuilder()
        .trigger("t")
        .node(
            "f",
            "flaky",
            fail_times=5,
            policies={"retry": {"max_attempts": 2, "backoff": "fixed", "base_s": 30, "jitter": 0}},
        )
        .chain("t", "f")
        .build()
    )
    assert env.run(graph).status == "waiting"
    env.clock.advance(30)
    out = env.run(graph)
    assert out.status == "failed" and out.error.attempts == 2


def test_step_record_round_trip_keeps_park():
    record = StepRecord(key="d", node_id="d", block="delay@1", status=StepStatus.WAITING)
    from datetime import UTC, datetime

    from apps.workflows.engine.types import ParkInfo

    parked = replace(record, park=ParkInfo(datetime(2025, 1, 1, tzinfo=UTC), True, "x"))
    assert StepRecord.from_dict(parked.to_dict()) == parked


def test_resume_that_arrives_before_the_step_parks_is_picked_up(env: Env):
    env.resume.resume("ex-1", "w", {"answer": 1})  # e.g. an approval clicked at once
    out = env.run(wait_graph(mode="resume"))
    assert out.status == "succeeded" and out.steps["next"].output["value"] == 1
