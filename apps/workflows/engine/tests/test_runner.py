from __future__ import annotations

import json
import threading

from apps.workflows.engine.tests.helpers import Env, GraphBuilder
from apps.workflows.engine.types import StepStatus


def statuses(outcome) -> dict[str, str]:
    return {k: v.status.value for k, v in outcome.steps.items()}


def test_linear_chain_runs_inline_and_passes_data(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("greet", "transform", mapping={"text": "Hello {{ trigger.name }}"})
        .node(
            "shout",
            "transform",
            mapping={"text": "{{ nodes.greet.output.text }}!", "n": "{{ trigger.n }}"},
        )
        .chain("t", "greet", "shout")
    )
    out = env.run(g.build(), {"name": "Ann", "n": 2})
    assert out.status == "succeeded"
    assert out.output == {"text": "Hello Ann!", "n": 2}
    record = out.steps["shout"]
    assert record.input["config"]["mapping"]["n"] == 2
    assert record.attempts == 1 and record.started_at and record.finished_at


def test_chain_does_not_hop_threads(env: Env):
    g = GraphBuilder().trigger("t").node("a", "slow").node("b", "slow").chain("t", "a", "b")
    env.run(g.build())
    names = {name for _, name in env.fakes.calls}
    assert names == {threading.current_thread().name}


def test_condition_branches_and_skip_propagates(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("c", "condition", expression="{{ trigger.n > `2` }}")
        .node("yes", "record", value="yes")
        .node("no", "record", value="no")
        .node("after_no", "record", value="after")
        .chain("t", "c")
        .edge("c", "yes", "true")
        .edge("c", "no", "false")
        .chain("no", "after_no")
    )
    out = env.run(g.build(), {"n": 5})
    assert statuses(out) == {
        "t": "succeeded",
        "c": "succeeded",
        "yes": "succeeded",
        "no": "skipped",
        "after_no": "skipped",
    }
    out = env.run(g.build(), {"n": 1}, execution_id="ex-2")
    assert out.steps["yes"].status is StepStatus.SKIPPED
    assert out.steps["after_no"].status is StepStatus.SUCCEEDED


def test_structured_condition(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node(
            "c",
            "condition",
            conditions=[
                {"left": "{{ trigger.status }}", "operator": "eq", "right": 200},
                {"left": "{{ trigger.body }}", "operator": "contains", "right": "ok"},
            ],
        )
        .node("yes", "record")
        .chain("t", "c")
        .edge("c", "yes", "true")
    )
    assert env.run(g.build(), {"status": 200, "body": "all ok"}).steps["yes"].status == "succeeded"
    out = env.run(g.build(), {"status": 500, "body": "ok"}, execution_id="ex-2")
    assert out.steps["yes"].status == "skipped"


def test_rejoin_after_branches_runs_once_with_the_live_input(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("c", "condition", expression="{{ trigger.go }}")
        .node("a", "record", value="a")
        .node("b", "record", value="b")
        .node("j", "record")
        .chain("t", "c")
        .edge("c", "a", "true")
        .edge("c", "b", "false")
        .edge("a", "j")
        .edge("b", "j")
    )
    out = env.run(g.build(), {"go": True})
    assert env.fakes.count("j") == 1
    assert set(out.steps["j"].output["inputs"]) == {"a"}


def test_switch_routes_to_first_matching_case_or_default(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node(
            "s",
            "switch",
            value="{{ trigger.kind }}",
            cases=[
                {"name": "bug", "equals": "bug"},
                {"name": "big", "when": "{{ trigger.size > `10` }}"},
            ],
        )
        .node("bug", "record")
        .node("big", "record")
        .node("other", "record")
        .chain("t", "s")
        .edge("s", "bug", "bug")
        .edge("s", "big", "big")
        .edge("s", "other", "default")
    )
    runs = {
        "bug": {"kind": "bug", "size": 99},
        "big": {"kind": "x", "size": 11},
        "other": {"kind": "x", "size": 1},
    }
    for i, (expected, payload) in enumerate(runs.items()):
        out = env.run(g.build(), payload, execution_id=f"ex-{i}")
        ran = [n for n in ("bug", "big", "other") if out.steps[n].status == "succeeded"]
        assert ran == [expected]
        assert out.steps["s"].output["case"] == (expected if expected != "other" else "default")


def test_fan_out_runs_branches_concurrently_and_merge_waits_for_all(env: Env):
    env.fakes.events["go"] = threading.Event()
    g = GraphBuilder().trigger("t").node("m", "merge")
    for name in ("a", "b", "c"):
        g.node(name, "slow", event="go").edge("t", name).edge(name, "m")
    gate = threading.Timer(0.2, env.fakes.events["go"].set)
    gate.start()
    out = env.run(g.build())
    assert out.status == "succeeded"
    threads = {name for node, name in env.fakes.calls}
    assert len(threads) == 3  # all three were blocked on the same event at once
    assert sorted(out.output["by_node"]) == ["a", "b", "c"]
    assert len(out.output["items"]) == 3


def test_merge_first_runs_on_the_first_input_only(env: Env):
    env.fakes.events["late"] = threading.Event()
    g = (
        GraphBuilder()
        .trigger("t")
        .node("fast", "record", value=1)
        .node("slow", "slow", event="late", max_wait=5)
        .node("m", "merge", mode="first")
        .node("after", "record")
        .chain("t", "fast", "m")
        .chain("t", "slow", "m")
        .chain("m", "after")
    )
    threading.Timer(0.2, env.fakes.events["late"].set).start()
    out = env.run(g.build())
    assert out.steps["m"].output["by_node"].keys() == {"fast"}
    assert env.fakes.count("after") == 1


def test_merge_all_with_a_skipped_branch(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("c", "condition", expression=False)
        .node("a", "record", value=1)
        .node("b", "record", value=2)
        .node("m", "merge")
        .chain("t", "c")
        .edge("c", "a", "true")
        .chain("t", "b")
        .chain("a", "m")
        .chain("b", "m")
    )
    out = env.run(g.build())
    assert list(out.steps["m"].output["by_node"]) == ["b"]


def test_error_handle_routes_the_error_object(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("bad", "stop_and_fail", message="nope {{ trigger.x }}")
        .node("handler", "record", value="{{ nodes.bad.error.message }}")
        .node("next", "record")
        .chain("t", "bad")
        .edge("bad", "handler", "error")
        .edge("bad", "next")
    )
    out = env.run(g.build(), {"x": 1})
    assert out.status == "succeeded"
    assert out.steps["bad"].status == "failed" and out.steps["bad"].handled
    assert out.steps["handler"].output["value"] == "nope 1"
    assert out.steps["handler"].output["inputs"]["bad"]["code"] == "stopped"
    assert out.steps["next"].status == "skipped"


def test_unhandled_failure_fails_the_run_and_runs_the_error_branch(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record")
        .node("bad", "stop_and_fail", message="broken", code="broke")
        .node("never", "record")
        .chain("t", "a", "bad", "never")
        .node("on_error", "error_trigger")
        .node("notify", "record", value="{{ nodes.on_error.output.error.node_id }}")
        .chain("on_error", "notify")
    )
    out = env.run(g.build())
    assert out.status == "failed"
    assert out.error.node_id == "bad" and out.error.code == "broke"
    assert out.error_branch_ran
    assert out.steps["notify"].output["value"] == "bad"
    assert "never" not in out.steps


def test_error_branch_does_not_run_on_success(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("on_error", "error_trigger")
        .node("notify", "record")
        .chain("on_error", "notify")
    )
    out = env.run(g.build())
    assert out.status == "succeeded" and "notify" not in out.steps


def test_non_json_output_is_a_clear_step_error(env: Env):
    g = GraphBuilder().trigger("t").node("odd", "bad_output").chain("t", "odd")
    out = env.run(g.build())
    assert out.status == "failed"
    assert out.error.code == "output_not_json"
    assert "bad_output@1" in out.error.message and "'odd'" in out.error.message


def test_unexpected_exception_is_not_retried(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("b", "boom", policies={"retry": {"max_attempts": 5}})
        .chain("t", "b")
    )
    out = env.run(g.build())
    assert out.error.code == "exception" and "KeyError" in out.error.message
    assert env.fakes.count("b") == 1


def test_expression_error_at_run_time_fails_the_step(env: Env):
    g = GraphBuilder().trigger("t").node("a", "record", value="{{ length(`1`) }}").chain("t", "a")
    out = env.run(g.build())
    assert out.error.code == "expression_error" and out.error.node_id == "a"
    assert env.fakes.count("a") == 0


def test_resolved_config_is_validated_again(env: Env):
    g = GraphBuilder().trigger("t").node("l", "loop", items="{{ trigger.n }}").chain("t", "l")
    g.node("x", "record", parent="l")
    out = env.run(g.build(), {"n": 3})
    assert out.error.code == "invalid_config" and "config.items" in out.error.message


def test_variables_are_visible_downstream(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("v", "set_variables", variables={"who": "{{ trigger.n }}"})
        .node("use", "record", value="{{ vars.who }}")
        .chain("t", "v", "use")
    )
    out = env.run(g.build(), {"n": "Bo"}, variables={"preset": 1})
    assert out.steps["use"].output["value"] == "Bo"


def test_workflow_output_is_set_output_else_last_node(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("out", "set_output", values={"r": "{{ trigger.n }}"})
        .node("later", "record", value=2)
        .chain("t", "out", "later")
    )
    assert env.run(g.build(), {"n": 1}).output == {"r": 1}
    g = GraphBuilder().trigger("t").node("a", "transform", mapping={"k": 1}).chain("t", "a")
    assert env.run(g.build(), execution_id="ex-2").output == {"k": 1}


def test_context_exposes_workflow_and_execution(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record", value="{{ workflow.name }}/{{ execution.id }}")
        .chain("t", "a")
    )
    out = env.run(g.build(), workflow={"name": "wf"}, execution_id="ex-9")
    assert out.steps["a"].output["value"] == "wf/ex-9"
    assert out.steps["a"].output["key"] == "ex-9:a"


def test_unreachable_nodes_do_not_run_or_block(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("a", "record")
        .node("orphan", "record")
        .chain("t", "a")
        .edge("orphan", "a")
    )
    out = env.run(g.build())
    assert out.status == "succeeded" and "orphan" not in out.steps


def test_unknown_handle_from_a_block_is_an_error(env: Env):
    def bad(ctx, config, inputs):
        from apps.blocks.sdk import BlockResult

        return BlockResult(outputs={}, handles=("nowhere",))

    from apps.blocks.sdk import BlockSpec, Category

    env.registry.register(
        BlockSpec(
            key="bad_handle",
            version=1,
            title="x",
            category=Category.DATA,
            config_schema={"type": "object"},
        ),
        bad,
    )
    g = GraphBuilder().trigger("t").node("a", "bad_handle").chain("t", "a")
    assert env.run(g.build()).error.code == "unknown_handle"


def test_merge_first_is_skipped_when_every_input_is_dead(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("c", "condition", expression=False)
        .node("a", "record")
        .node("b", "record")
        .node("m", "merge", mode="first")
        .node("after", "record")
        .chain("t", "c")
        .edge("c", "a", "true")
        .edge("c", "b", "true")
        .chain("a", "m")
        .chain("b", "m")
        .chain("m", "after")
    )
    out = env.run(g.build())
    assert out.steps["m"].status == "skipped" and out.steps["after"].status == "skipped"


def test_the_whole_context_as_a_value_is_a_snapshot(env: Env):
    # Issue 11, defect 4: `{{ @ }}` stored the live context, which then contained itself.
    g = (
        GraphBuilder()
        .trigger("t")
        .node("all", "transform", mapping={"ctx": "{{ @ }}", "nodes": "{{ nodes }}"})
        .node("text", "record", value="seen: {{ nodes.all.output.ctx.trigger }}")
        .node("last", "transform", mapping={"ctx": "{{ @ }}"})
        .chain("t", "all", "text", "last")
    )
    out = env.run(g.build(), {"n": 1})
    assert statuses(out) == {
        "t": "succeeded",
        "all": "succeeded",
        "text": "succeeded",
        "last": "succeeded",
    }
    assert out.status == "succeeded"
    assert out.steps["text"].output["value"] == 'seen: {"n":1}'
    snapshot = out.output["ctx"]
    assert snapshot["nodes"]["all"]["output"]["ctx"]["nodes"] == {
        "t": {"output": {"n": 1}, "status": "succeeded"}
    }
    json.dumps(out.output)  # no cycle left in what is stored
    json.dumps([record.to_dict() for record in out.steps.values()], default=str)


def test_an_exponentially_growing_result_is_a_step_error(env: Env):
    # Issue 11, defect 3 (the expression part): the probe's chained doubling.
    doubling = "{{ trigger.s" + " | join('', [@, @])" * 25 + " }}"
    g = (
        GraphBuilder()
        .trigger("t")
        .node("grow", "transform", mapping={"x": doubling})
        .chain("t", "grow")
    )
    out = env.run(g.build(), {"s": "x"})
    assert out.status == "failed"
    assert out.error.code == "expression_error" and "larger than" in out.error.message
    assert out.error.node_id == "grow"
