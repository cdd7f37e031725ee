"""``{{ jmespath }}`` expressions in config values.

JMESPath evaluates data only: there is no path from an expression to code, by design
(peer products had remote code execution through their template languages). Do not add
``eval``, format strings or a template engine here.

Rules:
- a string that is exactly one ``{{ expr }}`` (surrounding blanks allowed) keeps the
  result's type: ``"{{ trigger.items }}"`` gives the list itself;
- elsewhere each result is put into the string: strings as they are, None as ``""``,
  everything else as compact JSON (``true``, ``1.5``, ``{"a":1}``) like the browser's
  ``JSON.stringify`` in the live preview.

Config values are compiled once (:func:`compile_value`) into a small tree of templates;
constant subtrees are returned as they are, so resolving costs only the expressions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import jmespath
from jmespath import visitor
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from apps.workflows.engine.errors import ExpressionEvalError, ExpressionSyntaxError

__all__ = [
    "Template",
    "compile_expression",
    "compile_value",
    "has_expression",
    "is_single_expression",
    "resolve",
    "split_template",
    "to_text",
]

OPEN, CLOSE = "{{", "}}"
# One interpreter for every evaluation: TreeInterpreter keeps no per-call state, and
# building one (with its function table) per call costs more than most expressions.
_INTERPRETER = visitor.TreeInterpreter()


@lru_cache(maxsize=8192)
def compile_expression(source: str) -> ParsedResult:
    """Parse (and cache) one JMESPath expression; raises jmespath's ParseError."""
    return jmespath.compile(source)


def has_expression(value: str) -> bool:
    return OPEN in value


def split_template(text: str, field: str) -> list[str | ParsedResult]:
    """Cut a string into literal parts and compiled expressions.

    ``}}`` may occur inside an expression (``{{ {a: {b: c}} }}``), so when the shortest
    candidate does not parse we try the next ``}}`` before giving up.
    """
    parts: list[str | ParsedResult] = []
    pos = 0
    while True:
        start = text.find(OPEN, pos)
        if start < 0:
            if pos < len(text):
                parts.append(text[pos:])
            return parts
        if start > pos:
            parts.append(text[pos:start])
        end = text.find(CLOSE, start + 2)
        if end < 0:
            raise ExpressionSyntaxError(field, text[start + 2 :].strip(), "missing '}}'")
        first_error: Exception | None = None
        first_source = ""
        parsed: ParsedResult | None = None
        while end >= 0:
            source = text[start + 2 : end].strip()
            if not source:
                raise ExpressionSyntaxError(field, "", "empty expression")
            try:
                parsed = compile_expression(source)
                break
            except JMESPathError as exc:
                if first_error is None:
                    first_error, first_source = exc, source
                end = text.find(CLOSE, end + 1)
        if parsed is None:
            detail = str(first_error).splitlines()[0] if first_error else "syntax error"
            raise ExpressionSyntaxError(field, first_source, detail)
        parts.append(parsed)
        pos = end + 2


def is_single_expression(parts: list[str | ParsedResult]) -> bool:
    non_blank = [p for p in parts if not (isinstance(p, str) and not p.strip())]
    return len(non_blank) == 1 and isinstance(non_blank[0], ParsedResult)


def to_text(value: Any) -> str:
    """How an expression result is written into a string."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _search(parsed: ParsedResult, context: Mapping[str, Any], field: str) -> Any:
    try:
        return _INTERPRETER.visit(parsed.parsed, context)
    except JMESPathError as exc:
        raise ExpressionEvalError(f"{field}: {{{{ {parsed.expression} }}}}: {exc}") from None


Template = Callable[[Mapping[str, Any]], Any]
"""A compiled config value: call it with the expression context to get the resolved value."""


def _const(value: Any) -> Template:
    return lambda _context: value


def compile_value(
    value: Any, field: str = "config", errors: list[ExpressionSyntaxError] | None = None
) -> tuple[Template, bool]:
    """Compile a config value; returns ``(template, has_expressions)``.

    With ``errors`` given, syntax errors are collected (so validation reports all of them)
    and the faulty string is kept as a constant; without it the first one is raised.
    """
    if isinstance(value, str):
        if OPEN not in value:
            return _const(value), False
        try:
            parts = split_template(value, field)
        except ExpressionSyntaxError as exc:
            if errors is None:
                raise
            errors.append(exc)
            return _const(value), False
        if is_single_expression(parts):
            parsed = next(p for p in parts if isinstance(p, ParsedResult))
            return (lambda context: _search(parsed, context, field)), True
        frozen = tuple(parts)

        def interpolate(context: Mapping[str, Any]) -> str:
            return "".join(
                p if isinstance(p, str) else to_text(_search(p, context, field)) for p in frozen
            )

        return interpolate, True
    if isinstance(value, Mapping):
        compiled = {k: compile_value(v, f"{field}.{k}", errors) for k, v in value.items()}
        if not any(dyn for _t, dyn in compiled.values()):
            return _const(value), False
        items = tuple((k, t) for k, (t, _d) in compiled.items())
        return (lambda context: {k: t(context) for k, t in items}), True
    if isinstance(value, list):
        compiled_list = [compile_value(v, f"{field}[{i}]", errors) for i, v in enumerate(value)]
        if not any(dyn for _t, dyn in compiled_list):
            return _const(value), False
        templates = tuple(t for t, _d in compiled_list)
        return (lambda context: [t(context) for t in templates]), True
    return _const(value), False


def resolve(value: Any, context: Mapping[str, Any], field: str = "value") -> Any:
    """Compile and resolve in one go (for values seen once, e.g. ``ctx.evaluate``)."""
    template, _dynamic = compile_value(value, field)
    return template(context)
