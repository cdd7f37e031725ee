"""Issue 11, defect 3 (the loop and step part): a run cannot grow without bound.

The probe's loop over ``[1]`` doubled 16 times ran 65,536 iterations (95 s, 65,539 step
rows). The engine runs here on its in-memory ports (no database), as in its own tests.
"""

from __future__ import annotations

from apps.workflows.engine.tests.helpers import GraphBuilder, make_env

DOUBLED_16_TIMES = "{{ `[1]`" + " | [@, @][]" * 16 + " }}"


def _loop(items: str) -> GraphBuilder:
    return (GraphBuilder().trigger("t")
            .node("l", "loop", items=items)
            .node("x", "transform", parent="l", mapping={"v": "{{ item }}"})
            .chain("t", "l"))


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
