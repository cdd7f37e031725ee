"""The StepObserver port: every executed step is wrapped once, on the thread that runs it and
in the caller's context, so a host's spans nest: run -> step, loop step -> body step."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from apps.workflows.engine.tests.helpers import GraphBuilder, make_env
from apps.workflows.engine.types import StepRecord

# What a host's tracer keeps in a contextvar: the span that is current.
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("current", default=None)


class Watch:
    def __init__(self, node_id: str, block: str, parent: str | None) -> None:
        self.node_id, self.block, self.parent = node_id, block, parent
        self.statuses: list[str] = []

    def finished(self, record: StepRecord) -> None:
        self.statuses.append(record.status.value)


class Recorder:
    def __init__(self) -> None:
        self.watches: list[Watch] = []
        self.lock = threading.Lock()

    @contextmanager
    def step(self, *, node_id: str, block_type: str, block_version: int) -> Iterator[Watch]:
        watch = Watch(node_id, f"{block_type}@{block_version}", _current.get())
        with self.lock:
            self.watches.append(watch)
        token = _current.set(node_id)
        try:
            yield watch
        finally:
            _current.reset(token)

    def by_node(self) -> dict[str, list[Watch]]:
        found: dict[str, list[Watch]] = {}
        for watch in self.watches:
            found.setdefault(watch.node_id, []).append(watch)
        return found


def _run_inside(env, graph):
    """Run with the host's `run` context current, as the worker's workflow span is."""
    token = _current.set("run")
    try:
        return env.run(graph)
    finally:
        _current.reset(token)


def test_parallel_branches_are_observed_in_the_callers_context():
    recorder = Recorder()
    env = make_env(observer=recorder)
    graph = (
        GraphBuilder()
        .trigger("t")
        .node("a", "slow")
        .node("b", "slow")
        .node("c", "record")
        .edge("t", "a")
        .edge("t", "b")
        .chain("a", "c")
        .edge("b", "c")
    )
    assert _run_inside(env, graph.build()).status == "succeeded"
    threads = {thread for _, thread in env.fakes.calls if isinstance(thread, str)}
    assert all(name.startswith("flowplane-branch") for name in threads)  # pool threads
    seen = recorder.by_node()
    assert {node: [(w.parent, w.block, w.statuses) for w in ws] for node, ws in seen.items()} == {
        "t": [("run", "manual_trigger@1", ["succeeded"])],
        "a": [("run", "slow@1", ["succeeded"])],
        "b": [("run", "slow@1", ["succeeded"])],
        "c": [("run", "record@1", ["succeeded"])],
    }


def test_a_loops_body_steps_nest_in_the_loop_step_even_when_items_run_concurrently():
    recorder = Recorder()
    env = make_env(observer=recorder)
    graph = (
        GraphBuilder()
        .trigger("t")
        .node("l", "loop", items=[{"n": 1}, {"n": None}, {"n": 3}], max_concurrency=3)
        .node("check", "condition", parent="l", expression="{{ item.n }}")
        .node("fail", "stop_and_fail", parent="l", message="item {{ index }} is empty")
        .chain("t", "l")
        .edge("check", "fail", "false")
    )
    assert _run_inside(env, graph.build()).status == "succeeded"
    seen = recorder.by_node()
    assert [w.parent for w in seen["l"]] == ["run"]
    assert [w.parent for w in seen["check"]] == ["l", "l", "l"]
    assert [(w.parent, w.statuses) for w in seen["fail"]] == [("l", ["failed"])]
