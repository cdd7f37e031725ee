"""Property tests (hypothesis): the JSON boundary, expressions and graph validation answer
every input with a value or their own error, never with anything else (a 500 upstream).

Examples are bounded so the file runs in seconds; ``derandomize`` keeps CI reproducible.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.blocks.registry import default_registry
from apps.workflows.engine.errors import ExpressionEvalError, ExpressionSyntaxError
from apps.workflows.engine.expressions import resolve
from apps.workflows.graph_shape import graph_shape_errors
from apps.workflows.validation import graph_issues
from apps.workspaces.json_boundary import DEFAULT_MAX_DEPTH, InvalidJSON, check, loads

PROFILE = settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


def _acceptable(value: Any, depth: int = 1) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list):
        return depth <= DEFAULT_MAX_DEPTH and all(_acceptable(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return depth <= DEFAULT_MAX_DEPTH and all(
            _acceptable(k) and _acceptable(v, depth + 1) for k, v in value.items()
        )
    return True


@PROFILE
@given(json_like)
def test_the_boundary_accepts_exactly_the_storable_json(value):
    raw = json.dumps(value, allow_nan=True)  # ensure_ascii: surrogates travel as escapes
    if _acceptable(value):
        assert loads(raw) == value
        check(value)
    else:
        with pytest.raises(InvalidJSON):
            loads(raw)


@PROFILE
@given(st.binary(max_size=200))
def test_the_boundary_answers_any_bytes_with_a_value_or_its_error(raw):
    try:
        loads(raw)
    except InvalidJSON as exc:
        assert exc.status_code == 400 and exc.fields


EXPRESSIONS = [
    "@",
    "trigger",
    "trigger.a",
    "nodes",
    "vars",
    "trigger.*",
    "trigger[]",
    "keys(trigger)",
    "values(@)",
    "length(trigger)",
    "to_string(@)",
    "join('', [@, @])",
    "[@, @]",
    "{x: @, y: trigger}",
    "trigger | @",
    "sort_by(trigger, &@)",
    "max(trigger)",
    "trigger[?@ > `1`]",
    "not_null(x, @)",
    "merge(@, trigger)",
    "trigger[0].b",
    "abs(trigger)",
    "type(@)",
]
templates = (
    st.lists(st.sampled_from(EXPRESSIONS), min_size=1, max_size=3).map(
        lambda parts: " ".join("{{ " + p + " }}" for p in parts)
    )
    | st.sampled_from(["{{ " + e + " }}" for e in EXPRESSIONS])
    | st.text(max_size=30)
)


@PROFILE
@given(templates, json_like)
@example("{{ merge(@, trigger) }}", None)  # jmespath raised TypeError: the run broke
@example("{{ merge(@, trigger) }}", [[]])  # and ValueError
def test_expressions_give_json_or_their_own_error(template, trigger):
    context = {
        "trigger": trigger,
        "nodes": {"a": {"output": trigger, "status": "succeeded"}},
        "vars": {},
        "workflow": {},
        "execution": {"id": "e"},
    }
    try:
        result = resolve(template, context)
    except (ExpressionEvalError, ExpressionSyntaxError):
        return
    json.dumps(result, allow_nan=True)  # no cycle, nothing that is not data
    assert result is not context and result is not context["nodes"]


BLOCK_KEYS = sorted({block.spec.key for block in default_registry.latest()})
ids = st.text(alphabet="abcxyz_-:.0", min_size=0, max_size=6)
nodes = st.fixed_dictionaries(
    {"id": ids, "type": st.sampled_from([*BLOCK_KEYS, "nope", ""])},
    optional={
        "parentId": ids,
        "data": st.fixed_dictionaries(
            {},
            optional={
                "config": st.dictionaries(
                    st.sampled_from(["mapping", "items", "url", "expression", "values", "cases"]),
                    json_like,
                    max_size=3,
                ),
                "version": st.sampled_from(["1", "2", 1, "x"]),
                "policies": st.dictionaries(
                    st.sampled_from(["retry", "timeout_s"]), json_like, max_size=2
                ),
            },
        ),
    },
)
edges = st.fixed_dictionaries(
    {"source": ids, "target": ids},
    optional={"sourceHandle": st.sampled_from(["true", "false", "error", "done", None, "x"])},
)
graphs = (
    st.fixed_dictionaries(
        {"nodes": st.lists(nodes, max_size=6), "edges": st.lists(edges, max_size=8)}
    )
    | json_like
)


@PROFILE
@given(graphs)
def test_graph_validation_reports_issues_and_never_raises(graph):
    issues = graph_issues(graph)
    assert isinstance(issues, list)
    for issue in issues:
        assert issue["severity"] in ("error", "warning") and issue["message"]
    if not isinstance(graph, dict):
        assert graph_shape_errors(graph)
