"""Issue 11, defect 3 (the loop and step part): a run cannot grow without bound.

The probe's loop over ``[1]`` doubled 16 times ran 65,536 iterations (95 s, 65,539 step
rows). The engine runs here on its in-memory ports (no database), as in its own tests.
"""

from __future__ import annotations

import json

import pytest

from apps.workflows.engine.tests.helpers import GraphBuilder, make_env

DOUBLED_16_TIMES = "{{ `[1]`" + " | [@, @][]" * 16 + " }}"


def _loop(items: str) -> GraphBuilder:
    return (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=items)
        .node("x", "transform", parent="l", mapping={"v": "{{ item }}"})
        .chain("t", "l")
    )


def test_the_probes_doubled_loop_is_refused_before_any_item_runs():
    env = make_env()
    out = env.run(_loop(DOUBLED_16_TIMES).build())
    assert out.status == "failed"
    assert out.error.code == "too_many_items" and "65536" in out.error.message
    assert out.error.node_id == "l"
    assert len(out.steps) == 2  # the trigger and the refused loop


def test_a_run_stops_starting_steps_at_its_budget():
    env = make_env(max_steps=50)
    items = "{{ `" + str(list(range(200))) + "` }}"
    out = env.run(_loop(items).build())
    assert out.status == "failed"
    assert out.error.code == "step_budget_exceeded" and out.error.node_id == "l"
    assert "budget of 50 steps" in out.error.message
    assert 48 <= len(out.steps) <= 52  # the loop stopped at the budget, not after 200 items


def test_a_loop_within_the_budgets_runs_every_item():
    env = make_env()
    out = env.run(_loop("{{ `" + str(list(range(300))) + "` }}").build())
    assert out.status == "succeeded"
    assert out.steps["l"].output["count"] == 300


def _big_output(size: int) -> GraphBuilder:
    return (
        GraphBuilder()
        .trigger("t")
        .node("big", "transform", mapping={"text": "x" * size})
        .node("after", "transform", mapping={"n": 1})
        .chain("t", "big", "after")
    )


def test_a_step_output_over_the_cap_fails_naming_the_node_and_its_size():
    env = make_env(max_step_output_bytes=10_000)
    out = env.run(_big_output(20_000).build())
    assert out.status == "failed"
    assert out.error.code == "output_too_large" and out.error.node_id == "big"
    size = len(json.dumps({"text": "x" * 20_000}))  # the output as stored: JSON
    assert (
        f"node 'big' produced {size} bytes of output, over the limit of 10000 bytes "
        "per step" in out.error.message
    )
    assert out.steps["big"].output is None  # nothing of it stored
    assert "after" not in out.steps


def test_a_run_stops_when_its_outputs_pass_their_budget():
    env = make_env(max_output_bytes=5_000)
    items = "{{ `" + str(list(range(100))) + "` }}"
    graph = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=items)
        .node("x", "transform", parent="l", mapping={"v": "y" * 100})
        .chain("t", "l")
    ).build()
    out = env.run(graph)
    assert out.status == "failed"
    assert out.error.code in {"run_output_budget_exceeded", "step_budget_exceeded"}
    failed = [
        s
        for s in out.steps.values()
        if s.error is not None and s.error.code == "run_output_budget_exceeded"
    ]
    assert failed and "over its budget of 5000 bytes" in failed[0].error.message
    stored = sum(len(json.dumps(s.output)) for s in out.steps.values() if s.output is not None)
    assert stored <= 5_000 + 200  # the trigger's own output is not counted by a block


def _run_in_workspace(workspace, user, graph: dict):  # type: ignore[no-untyped-def]
    from apps.workflows.models import Execution
    from apps.workflows.runtime.run import execution_run
    from apps.workflows.services import execution_create
    from apps.workspaces.selectors import workspace_budgets_forget
    from tests.reliability.harness import published

    workspace_budgets_forget()
    execution = execution_create(workflow=published(workspace, user, graph), mode="api", input={})
    assert execution_run(execution_id=execution.pk)
    return Execution.objects.get(pk=execution.pk)


def _stored_graph(size: int, loop_items: int = 0) -> dict:
    from tests.reliability.harness import node

    nodes = [
        node("start", "manual_trigger"),
        node("big", "transform", mapping={"text": "x" * size}),
    ]
    edges = [{"id": "e1", "source": "start", "target": "big"}]
    if loop_items:
        nodes += [
            node("l", "loop", items="{{ `" + str(list(range(loop_items))) + "` }}"),
            {**node("x", "transform", mapping={"v": "{{ item }}"}), "parentId": "l"},
        ]
        edges.append({"id": "e2", "source": "big", "target": "l"})
    return {"nodes": nodes, "edges": edges}


@pytest.mark.django_db
def test_a_workspaces_budgets_override_the_platforms(workspace, other_workspace, user, settings):
    from apps.workflows.models import ExecutionStep
    from apps.workspaces.models import Membership, Role

    Membership.objects.create(workspace=other_workspace, user=user, role=Role.OWNER)
    settings.EXECUTION_MAX_STEP_OUTPUT_BYTES = 50_000
    workspace.max_step_output_bytes = 1_000
    workspace.save()

    small = _run_in_workspace(workspace, user, _stored_graph(5_000))
    assert small.status == "failed" and small.error["code"] == "output_too_large"
    assert (
        small.error["node_id"] == "big" and "over the limit of 1000 bytes" in small.error["message"]
    )
    step = ExecutionStep.objects.get(execution=small, node_id="big")
    assert step.status == "failed" and step.output in (None, {})  # nothing huge stored
    # The platform's default where the workspace sets none.
    assert _run_in_workspace(other_workspace, user, _stored_graph(5_000)).status == "succeeded"
    assert (
        _run_in_workspace(other_workspace, user, _stored_graph(60_000)).error["code"]
        == "output_too_large"
    )

    workspace.max_steps_per_run = 6
    workspace.max_step_output_bytes = None
    workspace.save()
    looped = _run_in_workspace(workspace, user, _stored_graph(10, loop_items=20))
    assert looped.error["code"] == "step_budget_exceeded", looped.error
    assert "budget of 6 steps" in looped.error["message"]
