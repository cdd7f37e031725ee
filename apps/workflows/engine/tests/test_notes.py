from __future__ import annotations

from apps.workflows.engine.graph import build_plan, validate_graph
from apps.workflows.engine.tests.helpers import Env, GraphBuilder, catalog_registry

REGISTRY = catalog_registry()


def with_note() -> GraphBuilder:
    g = GraphBuilder().trigger("t").node("a", "transform", mapping={"x": "{{ trigger.n }}"})
    g.nodes.append({"id": "note_1", "type": "note", "position": {"x": 9, "y": 9}, "data": {}})
    return g.chain("t", "a")


def test_a_note_is_neither_validated_nor_planned():
    graph = with_note().build()
    assert validate_graph(graph, REGISTRY) == []  # no unknown_block, no unreachable warning
    plan = build_plan(graph, REGISTRY)
    assert set(plan.nodes) == {"t", "a"}
    assert plan.root.order == ("t", "a")


def test_a_run_skips_the_note(env: Env):
    out = env.run(with_note().build(), {"n": 3})
    assert out.status == "succeeded"
    assert set(out.steps) == {"t", "a"}


def test_an_edge_to_or_from_a_note_is_refused():
    graph = with_note().edge("a", "note_1").edge("note_1", "a", edge_id="back").build()
    issues = [(i.node_id, i.code, i.field) for i in validate_graph(graph, REGISTRY)]
    assert issues == [
        ("note_1", "note_edge", "edges.a->note_1:"),
        ("note_1", "note_edge", "edges.back"),
    ]


def test_a_note_id_still_counts_for_duplicates():
    g = with_note()
    g.nodes.append({"id": "a", "type": "note", "data": {}})
    codes = [(i.node_id, i.code) for i in validate_graph(g.build(), REGISTRY)]
    assert codes == [("a", "duplicate_node_id")]
