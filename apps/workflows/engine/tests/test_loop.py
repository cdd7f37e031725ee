from __future__ import annotations

import threading
import time

from apps.blocks.sdk import BlockResult, BlockSpec, Category
from apps.workflows.engine.tests.helpers import ANY_OBJECT, Env, GraphBuilder


def loop_graph(items: str = "{{ trigger.items }}", **loop_config) -> GraphBuilder:
    return (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=items, **loop_config)
        .node(
            "double",
            "transform",
            parent="l",
            mapping={"v": "{{ item.n }}", "i": "{{ index }}", "src": "{{ trigger.src }}"},
        )
        .node("check", "condition", parent="l", expression="{{ nodes.double.output.v }}")
        .node("fail", "stop_and_fail", parent="l", message="item {{ index }} is empty")
        .node("ok", "transform", parent="l", mapping={"out": "{{ nodes.double.output }}"})
        .chain("t", "l")
        .chain("double", "check")
        .edge("check", "ok", "true")
        .edge("check", "fail", "false")
        .node("after", "transform", mapping={"results": "{{ nodes.l.output.results }}"})
        .edge("l", "after", "done")
    )


def test_loop_collects_results_in_order_and_reports_item_errors(env: Env):
    items = [{"n": 1}, {"n": None}, {"n": 3}]
    out = env.run(loop_graph().build(), {"items": items, "src": "s"})
    assert out.status == "succeeded"
    loop = out.steps["l"].output
    assert loop["count"] == 3 and loop["failed"] == 1
    assert loop["errors"][0]["index"] == 1
    assert loop["errors"][0]["error"]["message"] == "item 1 is empty"
    # Each item has two sinks (ok, fail), so its result is keyed by the sink that ran.
    assert loop["results"][0] == {"ok": {"out": {"v": 1, "i": 0, "src": "s"}}}
    assert loop["results"][1] is None
    assert loop["results"][2]["ok"]["out"]["i"] == 2
    assert out.steps["after"].output["results"] == loop["results"]
    assert out.steps["double[2]"].output == {"v": 3, "i": 2, "src": "s"}
    assert out.steps["fail[1]"].status == "failed"


def test_fail_on_error_fails_the_loop(env: Env):
    out = env.run(loop_graph(fail_on_error=True).build(), {"items": [{"n": 1}, {"n": None}]})
    assert out.status == "failed" and out.error.code == "loop_item_failed"
    assert "item 1" in out.error.message


def test_single_sink_body_returns_that_output(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=[1, 2, 3])
        .node("sq", "transform", parent="l", mapping={"v": "{{ item }}"})
        .chain("t", "l")
    )
    assert env.run(g.build()).output["results"] == [{"v": 1}, {"v": 2}, {"v": 3}]


def test_loop_items_run_concurrently_up_to_the_limit(env: Env):
    active = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def tracked(ctx, config, inputs):
        with lock:
            active["now"] += 1
            active["peak"] = max(active["peak"], active["now"])
        time.sleep(0.05)
        with lock:
            active["now"] -= 1
        return BlockResult(outputs={"i": ctx.item_index, "key": ctx.idempotency_key})

    env.registry.register(
        BlockSpec(
            key="tracked", version=1, title="t", category=Category.DATA, config_schema=ANY_OBJECT
        ),
        tracked,
    )
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=list(range(8)), max_concurrency=3)
        .node("w", "tracked", parent="l")
        .chain("t", "l")
    )
    started = time.monotonic()
    out = env.run(g.build())
    assert time.monotonic() - started < 0.05 * 8 * 0.8
    assert active["peak"] == 3
    assert [r["i"] for r in out.output["results"]] == list(range(8))
    assert out.output["results"][5]["key"] == "ex-1:w:5"


def test_empty_items(env: Env):
    out = env.run(loop_graph().build(), {"items": []})
    assert out.steps["l"].output == {"results": [], "errors": [], "count": 0, "failed": 0}


def test_nested_loops_key_steps_by_both_indices(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("outer", "loop", items=[[1, 2], [3]])
        .node("inner", "loop", parent="outer", items="{{ item }}")
        .node("cell", "transform", parent="inner", mapping={"v": "{{ item }}"})
        .chain("t", "outer")
    )
    out = env.run(g.build())
    assert out.steps["cell[0][1]"].output == {"v": 2}
    assert out.steps["cell[1][0]"].output == {"v": 3}
    assert out.output["results"] == [
        {"results": [{"v": 1}, {"v": 2}], "errors": [], "count": 2, "failed": 0},
        {"results": [{"v": 3}], "errors": [], "count": 1, "failed": 0},
    ]


def test_loop_body_parks_and_resumes(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=[1, 2])
        .node("d", "delay", parent="l", seconds=30)
        .node("x", "record", parent="l", value="{{ item }}")
        .chain("d", "x")
        .chain("t", "l")
    )
    first = env.run(g.build())
    assert first.status == "waiting"
    assert first.wake_at == env.clock.now().replace(second=30)
    assert env.fakes.count("x") == 0
    env.clock.advance(31)
    second = env.run(g.build())
    assert second.status == "succeeded"
    assert [r["value"] for r in second.output["results"]] == [1, 2]


def test_error_edge_inside_the_body_handles_the_item(env: Env):
    g = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=[1, None])
        .node("c", "condition", parent="l", expression="{{ item }}")
        .node("bad", "stop_and_fail", parent="l", message="zero")
        .node("fix", "transform", parent="l", mapping={"fixed": "{{ nodes.bad.error.message }}"})
        .node("good", "transform", parent="l", mapping={"v": "{{ item }}"})
        .chain("t", "l")
        .edge("c", "good", "true")
        .edge("c", "bad", "false")
        .edge("bad", "fix", "error")
    )
    out = env.run(g.build())
    assert out.output["failed"] == 0
    assert out.output["results"] == [{"good": {"v": 1}}, {"fix": {"fixed": "zero"}}]
