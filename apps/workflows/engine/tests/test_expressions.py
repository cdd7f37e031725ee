from __future__ import annotations

import pytest

from apps.workflows.engine.errors import ExpressionEvalError, ExpressionSyntaxError
from apps.workflows.engine.expressions import compile_expression, compile_value, resolve, to_text

CONTEXT = {
    "trigger": {"body": {"name": "Ann", "n": 3, "tags": ["a", "b"], "ok": True}},
    "nodes": {"http": {"output": {"status": 200, "body": {"id": 7}}}},
    "vars": {"limit": 10},
    "workflow": {"id": "wf"},
    "execution": {"id": "ex"},
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{ trigger.body.n }}", 3),
        ("{{ trigger.body.tags }}", ["a", "b"]),
        ("  {{ trigger.body.ok }}  ", True),
        ("{{ nodes.http.output.body }}", {"id": 7}),
        ("{{ nodes.http.output.status == `200` }}", True),
        ("{{ missing.path }}", None),
        ("{{ {a: trigger.body.n, b: {c: vars.limit}} }}", {"a": 3, "b": {"c": 10}}),
    ],
)
def test_single_expression_keeps_the_result_type(value, expected):
    assert resolve(value, CONTEXT) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Hello {{ trigger.body.name }}!", "Hello Ann!"),
        ("n={{ trigger.body.n }}", "n=3"),
        ("tags={{ trigger.body.tags }}", 'tags=["a","b"]'),
        ("obj={{ nodes.http.output.body }}", 'obj={"id":7}'),
        ("ok={{ trigger.body.ok }} none={{ nope }}", "ok=true none="),
        ("{{ trigger.body.name }}{{ trigger.body.n }}", "Ann3"),
        ("no expressions", "no expressions"),
    ],
)
def test_interpolation_stringifies(value, expected):
    assert resolve(value, CONTEXT) == expected


def test_nested_values_resolve_and_constants_are_shared():
    constant = {"a": [1, 2], "b": {"c": "x"}}
    template, dynamic = compile_value(constant)
    assert not dynamic
    assert template(CONTEXT) is constant
    template, dynamic = compile_value({"a": ["{{ vars.limit }}", 2], "b": {"c": "x"}})
    assert dynamic
    assert template(CONTEXT) == {"a": [10, 2], "b": {"c": "x"}}


def test_bad_syntax_names_the_field():
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_value({"mapping": {"text": "Hi {{ trigger.[ }}"}})
    assert info.value.field == "config.mapping.text"
    assert "trigger.[" in str(info.value)


def test_syntax_errors_are_collected_when_asked():
    errors: list[ExpressionSyntaxError] = []
    compile_value({"a": "{{ a.[ }}", "b": ["ok", "{{ }}"], "c": "{{ open"}, "config", errors)
    assert sorted(e.field for e in errors) == ["config.a", "config.b[1]", "config.c"]


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('id')",
        "trigger.__class__",
        "eval('1')",
        "lambda: 1",
    ],
)
def test_there_is_no_code_path(source):
    try:
        result = resolve("{{ " + source + " }}", CONTEXT)
    except (ExpressionSyntaxError, ExpressionEvalError):
        return
    assert result is None  # only data lookup: dunder names are just missing keys


def test_unknown_function_is_an_evaluation_error():
    with pytest.raises(ExpressionEvalError):
        resolve("{{ system('id') }}", CONTEXT)
    with pytest.raises(ExpressionEvalError):
        resolve("{{ length(`1`) }}", CONTEXT)


def test_compile_is_cached():
    assert compile_expression("a.b") is compile_expression("a.b")


def test_to_text():
    assert to_text(None) == ""
    assert to_text(1.5) == "1.5"
    assert to_text("é") == "é"
    assert to_text({"k": "é"}) == '{"k":"é"}'
