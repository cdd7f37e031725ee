"""Behaviour of the data and control-flow blocks, run through the engine."""

from __future__ import annotations

import pytest

from apps.blocks.catalog.condition import compare
from apps.blocks.sdk import BlockError, truthy
from apps.workflows.engine.tests.helpers import GraphBuilder, make_env

PEOPLE = [
    {"name": "Ann", "age": 31, "team": "a", "score": 10},
    {"name": "Bo", "age": 17, "team": "b", "score": 5},
    {"name": "Cy", "age": 45, "team": "a", "score": None},
    {"name": "Di", "age": 22, "team": "b", "score": 7},
]


def run_one(block: str, payload=None, **config):
    env = make_env()
    graph = GraphBuilder().trigger("t").node("n", block, **config).chain("t", "n").build()
    return env.run(graph, payload)


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        (1, "eq", 1, True),
        (1, "ne", 1, False),
        (2, "gt", 1, True),
        (2, "gte", 2, True),
        (1, "lt", 2, True),
        (3, "lte", 2, False),
        ("abc", "contains", "b", True),
        ([1, 2], "not_contains", 3, True),
        ("b", "in", ["a", "b"], True),
        (5, "not_in", [5], False),
        ("hello", "starts_with", "he", True),
        ("hello", "ends_with", "lo", True),
        ("", "is_empty", None, True),
        ([1], "is_not_empty", None, True),
        (None, "exists", None, False),
        (None, "not_exists", None, True),
        (True, "is_true", None, True),
        (0, "is_false", None, False),
    ],
)
def test_condition_operators(left, op, right, expected):
    assert compare(left, op, right) is expected


def test_incomparable_types_are_an_error_not_false():
    with pytest.raises(BlockError, match="cannot compare"):
        compare("a", "gt", 1)


def test_truthiness_follows_jmespath():
    assert [truthy(v) for v in (0, 0.0, "x", [0], {"a": 1})] == [True] * 5
    assert [truthy(v) for v in (None, False, "", [], {})] == [False] * 5


def test_condition_or_combine():
    out = run_one(
        "condition",
        conditions=[
            {"left": 1, "operator": "eq", "right": 2},
            {"left": 1, "operator": "eq", "right": 1},
        ],
        combine="or",
    )
    assert out.steps["n"].handles == ("true",)


def test_filter_keeps_matching_items_in_order():
    out = run_one(
        "filter",
        {"people": PEOPLE},
        items="{{ trigger.people }}",
        condition="{{ item.age >= `18` && index != `3` }}",
    )
    assert [p["name"] for p in out.output["items"]] == ["Ann", "Cy"]
    assert out.output["count"] == 2 and out.output["dropped"] == 2


def test_filter_needs_a_list():
    out = run_one("filter", {"people": "x"}, items="{{ trigger.people }}", condition="{{ item }}")
    assert out.error.code == "invalid_config"


def test_aggregate_grouped():
    out = run_one(
        "aggregate",
        {"people": PEOPLE},
        items="{{ trigger.people }}",
        group_by="{{ item.team }}",
        operations=[
            {"op": "count", "as": "n"},
            {"op": "sum", "value": "{{ item.score }}", "as": "total"},
            {"op": "avg", "value": "{{ item.age }}", "as": "mean_age"},
            {"op": "min", "value": "{{ item.age }}", "as": "youngest"},
            {"op": "max", "value": "{{ item.name }}", "as": "last"},
            {"op": "collect", "value": "{{ item.name }}", "as": "names"},
        ],
    )
    assert out.output == {
        "groups": [
            {
                "key": "a",
                "n": 2,
                "total": 10,
                "mean_age": 38.0,
                "youngest": 31,
                "last": "Cy",
                "names": ["Ann", "Cy"],
            },
            {
                "key": "b",
                "n": 2,
                "total": 12,
                "mean_age": 19.5,
                "youngest": 17,
                "last": "Di",
                "names": ["Bo", "Di"],
            },
        ]
    }


def test_aggregate_ungrouped_and_empty():
    out = run_one(
        "aggregate",
        {"people": PEOPLE},
        items="{{ trigger.people }}",
        operations=[
            {"op": "count", "as": "n"},
            {"op": "max", "value": "{{ item.score }}", "as": "best"},
        ],
    )
    assert out.output == {"n": 4, "best": 10, "groups": []}
    out = run_one(
        "aggregate", items=[], operations=[{"op": "sum", "value": "{{ item }}", "as": "s"}]
    )
    assert out.output == {"s": 0, "groups": []}


def test_aggregate_sum_of_strings_is_an_error():
    out = run_one(
        "aggregate",
        {"people": PEOPLE},
        items="{{ trigger.people }}",
        operations=[{"op": "sum", "value": "{{ item.name }}", "as": "s"}],
    )
    assert out.error.code == "invalid_value"


def test_manual_trigger_wraps_non_objects_and_uses_sample():
    assert run_one("transform", [1, 2], mapping={"v": "{{ trigger.value }}"}).output == {
        "v": [1, 2]
    }
    env = make_env()
    g = GraphBuilder().node("t", "manual_trigger", sample={"a": 1}).build()
    assert env.run(g).output == {"a": 1}


def test_transform_mapping_must_be_an_object():
    assert run_one("transform", {"x": 1}, mapping="{{ trigger.x }}").error.code == "invalid_config"
    assert run_one("transform", {"x": {"k": 1}}, mapping="{{ trigger.x }}").output == {"k": 1}


def test_delay_needs_an_aware_time():
    out = run_one("delay", until="2030-01-01T00:00:00")
    assert out.error.code == "invalid_config" and "time zone" in out.error.message
    assert run_one("delay", until="tomorrow").error.code == "invalid_config"


def test_stop_and_fail_is_never_retried():
    out = run_one("stop_and_fail", message="bye", policies={"retry": {"max_attempts": 3}})
    assert out.error.attempts == 1 and out.error.message == "bye"


def test_set_variables_output():
    out = run_one("set_variables", {"a": 1}, variables={"x": "{{ trigger.a }}"})
    assert out.output == {"variables": {"x": 1}}
