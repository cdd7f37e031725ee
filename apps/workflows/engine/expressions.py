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
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import jmespath
from jmespath import visitor
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from apps.workflows.engine.errors import ExpressionEvalError, ExpressionSyntaxError

__all__ = [
    "Template",
    "check_syntax",
    "compile_expression",
    "compile_value",
    "has_expression",
    "iter_templates",
    "referenced_nodes",
    "resolve",
    "single_expression",
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
    """Cut a string into literal parts and compiled expressions (cached per text)."""
    return list(_parse_string(text, field)[0])


def single_expression(text: str, field: str = "config") -> ParsedResult | None:
    """The expression when ``text`` is exactly one ``{{ expr }}`` (type-keeping), else None."""
    return _parse_string(text, field)[1]


def _parse_string(
    text: str, field: str
) -> tuple[tuple[str | ParsedResult, ...], ParsedResult | None]:
    try:
        return _parse_cached(text)
    except ExpressionSyntaxError as exc:
        raise ExpressionSyntaxError(field, exc.expression, exc.detail) from None


@lru_cache(maxsize=16384)
def _parse_cached(text: str) -> tuple[tuple[str | ParsedResult, ...], ParsedResult | None]:
    parts = tuple(_split(text, ""))
    non_blank = [p for p in parts if not (isinstance(p, str) and not p.strip())]
    if len(non_blank) == 1 and isinstance(non_blank[0], ParsedResult):
        return parts, non_blank[0]
    return parts, None


def _split(text: str, field: str) -> list[str | ParsedResult]:
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


def to_text(value: Any) -> str:
    """How an expression result is written into a string."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


# Budgets on one expression's result: doubling tricks (``join('', [@, @])`` chained, a chain
# of ``{{ @ }}`` nodes each holding the last) grow results exponentially.
MAX_RESULT_ITEMS = 1_000_000
MAX_RESULT_CHARS = 16 * 1024 * 1024


def _search(parsed: ParsedResult, context: Mapping[str, Any], field: str) -> Any:
    try:
        result = _INTERPRETER.visit(parsed.parsed, context)
    except JMESPathError as exc:
        raise ExpressionEvalError(f"{field}: {{{{ {parsed.expression} }}}}: {exc}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        # Some jmespath functions fail on argument types they accept (merge(@, null) raises
        # TypeError): still the expression's error, not the engine's (found by hypothesis).
        raise ExpressionEvalError(
            f"{field}: {{{{ {parsed.expression} }}}}: {type(exc).__name__}: {exc}"
        ) from None
    if isinstance(result, str):
        if len(result) > MAX_RESULT_CHARS:
            raise _too_large(parsed, field)
        return result
    if isinstance(result, dict | list):
        return _detach(result, parsed, field)
    return result


def _too_large(parsed: ParsedResult, field: str) -> ExpressionEvalError:
    return ExpressionEvalError(
        f"{field}: {{{{ {parsed.expression} }}}}: the result is larger than "
        f"{MAX_RESULT_ITEMS} items or {MAX_RESULT_CHARS // (1024 * 1024)} MiB of text"
    )


def _detach(
    value: dict[Any, Any] | list[Any], parsed: ParsedResult, field: str
) -> dict[Any, Any] | list[Any]:
    """A copy of a result's containers, so it shares none with the live context.

    ``{{ @ }}``, ``{{ nodes }}`` or ``{{ vars }}`` evaluate to containers the runner keeps
    filling; stored as a step's output they came to contain themselves (``nodes.x.output``
    is the context again), which broke JSON encoding of the step and of the run. Iterative,
    and bounded by the result budgets. Leaves (str, numbers) are immutable and shared.
    """
    items = chars = 0
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        source, parent, slot = stack.pop()
        copy: dict[Any, Any] | list[Any]
        if isinstance(source, dict):
            copy = dict.fromkeys(source)
            pairs: Any = source.items()
        else:
            copy = [None] * len(source)
            pairs = enumerate(source)
        parent[slot] = copy
        items += len(source)
        for key, child in pairs:
            if isinstance(child, dict | list):
                stack.append((child, copy, key))
            else:
                copy[key] = child
                if isinstance(child, str):
                    chars += len(child)
        if items > MAX_RESULT_ITEMS or chars > MAX_RESULT_CHARS:
            raise _too_large(parsed, field)
    detached: dict[Any, Any] | list[Any] = holder[0]
    return detached


Template = Callable[[Mapping[str, Any]], Any]
"""A compiled config value: call it with the expression context to get the resolved value."""


def compile_value(
    value: Any, field: str = "config", errors: list[ExpressionSyntaxError] | None = None
) -> tuple[Template, bool]:
    """Compile a config value; returns ``(template, has_expressions)``.

    With ``errors`` given, syntax errors are collected (so validation reports all of them)
    and the faulty string is kept as a constant; without it the first one is raised.
    """
    template = _compile(value, field, errors)
    if template is None:
        return (lambda _context: value), False
    return template, True


def _compile(value: Any, field: str, errors: list[ExpressionSyntaxError] | None) -> Template | None:
    """A template, or None when the value is constant (most of a config usually is)."""
    if isinstance(value, str):
        if OPEN not in value:
            return None
        try:
            parts, single = _parse_string(value, field)
        except ExpressionSyntaxError as exc:
            if errors is None:
                raise
            errors.append(exc)
            return None
        if single is not None:
            return lambda context: _search(single, context, field)

        def interpolate(context: Mapping[str, Any]) -> str:
            return "".join(
                p if isinstance(p, str) else to_text(_search(p, context, field)) for p in parts
            )

        return interpolate
    if isinstance(value, dict):  # config is parsed JSON: dicts and lists, no other mappings
        compiled = [(k, v, _compile(v, f"{field}.{k}", errors)) for k, v in value.items()]
        if all(t is None for _k, _v, t in compiled):
            return None
        items = tuple((k, v, t) for k, v, t in compiled)
        return lambda context: {k: v if t is None else t(context) for k, v, t in items}
    if isinstance(value, list):
        compiled_list = [(v, _compile(v, f"{field}[{i}]", errors)) for i, v in enumerate(value)]
        if all(t is None for _v, t in compiled_list):
            return None
        elements = tuple(compiled_list)
        return lambda context: [v if t is None else t(context) for v, t in elements]
    return None


# AST node types whose children are evaluated against the same data as the node itself;
# other children (projection right-hand sides, filters, pipes, &expr) see something else.
_SAME_SCOPE = frozenset(
    {
        "function_expression",
        "comparator",
        "and_expression",
        "or_expression",
        "not_expression",
        "multi_select_list",
        "multi_select_dict",
        "key_val_pair",
    }
)
_LEFT_SCOPE = frozenset(
    {
        "subexpression",
        "projection",
        "value_projection",
        "flatten",
        "filter_projection",
        "pipe",
        "index_expression",
    }
)


def _root_refs(node: Any, rooted: bool, found: set[str]) -> None:
    kind = node.get("type")
    children = node.get("children") or []
    if kind == "subexpression" and rooted and len(children) >= 2:
        head, second = children[0], children[1]
        if (
            head.get("type") == "field"
            and head.get("value") == "nodes"
            and second.get("type") == "field"
        ):
            found.add(second["value"])
    for index, child in enumerate(children):
        if isinstance(child, dict):
            keep = rooted and (kind in _SAME_SCOPE or (kind in _LEFT_SCOPE and index == 0))
            _root_refs(child, keep, found)


@lru_cache(maxsize=16384)
def referenced_nodes(text: str) -> frozenset[str]:
    """Node ids a template string reads as ``nodes.<id>`` from the root context
    (empty when it does not parse; syntax errors are reported elsewhere)."""
    try:
        parts = _parse_cached(text)[0]
    except ExpressionSyntaxError:
        return frozenset()
    found: set[str] = set()
    for part in parts:
        if isinstance(part, ParsedResult):
            _root_refs(part.parsed, True, found)
    return frozenset(found)


def iter_templates(value: Any, field: str) -> Iterator[tuple[str, str]]:
    """``(field, text)`` for every string with an expression in a config value."""
    if isinstance(value, str):
        if OPEN in value:
            yield field, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_templates(item, f"{field}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_templates(item, f"{field}[{index}]")


def check_syntax(value: Any, field: str, errors: list[ExpressionSyntaxError]) -> None:
    """Collect syntax errors without building templates (validation-only path)."""
    if isinstance(value, str):
        if OPEN in value:
            try:
                _parse_string(value, field)
            except ExpressionSyntaxError as exc:
                errors.append(exc)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_syntax(item, f"{field}.{key}", errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_syntax(item, f"{field}[{index}]", errors)


def resolve(value: Any, context: Mapping[str, Any], field: str = "value") -> Any:
    """Compile and resolve in one go (for values seen once, e.g. ``ctx.evaluate``)."""
    template, _dynamic = compile_value(value, field)
    return template(context)
