"""A fast "definitely valid" pre-check for simple JSON Schemas.

jsonschema's validator is general and costs ~10 us even for a two-key config; validating
every node of a 1,000-node graph (and re-validating resolved configs at run time) made it
the largest cost of both. :func:`compile_fast` turns a schema into a predicate that
answers True only when the value is certainly valid. It understands a common subset
(type, properties, required, additionalProperties, items, enum of strings, const of a
string, numeric and length bounds, pattern, propertyNames) and answers False for
anything else, in which case the caller runs the real validator, which also produces the
error messages. So it can only make validation faster, never more lenient.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["compile_fast"]

Check = Callable[[Any], bool]

_IGNORED = frozenset(
    {
        "description",
        "title",
        "default",
        "examples",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
    }
)
# "format" is not ignored: the block registry asserts the "regex" format (a pattern a block
# will compile must be one), so a schema using it always gets the real validator.
_SUPPORTED = _IGNORED | {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "propertyNames",
}


def _never(_value: Any) -> bool:
    return False


def _always(_value: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


def compile_fast(schema: Any) -> Check:
    """A predicate: True means ``schema`` certainly accepts the value."""
    if schema is True:
        return _always
    if not isinstance(schema, Mapping) or not schema.keys() <= _SUPPORTED:
        return _never
    checks: list[Check] = []
    kind = schema.get("type")
    if kind is not None:
        names = [kind] if isinstance(kind, str) else list(kind)
        if not all(isinstance(n, str) and n in _TYPES for n in names):
            return _never
        preds = [_TYPES[n] for n in names]
        checks.append(lambda v: any(p(v) for p in preds))
    if "enum" in schema or "const" in schema:
        options = schema["enum"] if "enum" in schema else [schema["const"]]
        # Only strings: Python's 1 == True would accept what JSON Schema rejects.
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            return _never
        allowed = frozenset(options)
        checks.append(lambda v: isinstance(v, str) and v in allowed)
    checks.extend(_number_checks(schema))
    checks.extend(_string_checks(schema))
    object_check = _object_check(schema)
    if object_check is None:
        return _never
    checks.append(object_check)
    array_check = _array_check(schema)
    if array_check is None:
        return _never
    checks.append(array_check)
    return lambda v: all(check(v) for check in checks)


def _number_checks(schema: Mapping[str, Any]) -> list[Check]:
    operators: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
        ("minimum", operator.ge),
        ("maximum", operator.le),
        ("exclusiveMinimum", operator.gt),
        ("exclusiveMaximum", operator.lt),
    )
    bounds = [(schema.get(k), op) for k, op in operators]
    active = [(b, op) for b, op in bounds if b is not None]
    if not active:
        return []
    return [lambda v: not _is_number(v) or all(op(v, b) for b, op in active)]


def _string_checks(schema: Mapping[str, Any]) -> list[Check]:
    checks: list[Check] = []
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None or high is not None:
        lo, hi = low or 0, high if high is not None else float("inf")
        checks.append(lambda v: not isinstance(v, str) or lo <= len(v) <= hi)
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])
        checks.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None or high is not None:
        ilo, ihi = low or 0, high if high is not None else float("inf")
        checks.append(lambda v: not isinstance(v, list) or ilo <= len(v) <= ihi)
    return checks


def _object_check(schema: Mapping[str, Any]) -> Check | None:
    props = schema.get("properties") or {}
    required = tuple(schema.get("required") or ())
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames")
    if not props and not required and extra is True and names is None:
        return _always
    prop_checks = {k: compile_fast(v) for k, v in props.items()}
    extra_check = _never if extra is False else compile_fast(extra)
    name_check = compile_fast(names) if names is not None else _always

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True  # object keywords do not apply to other types
        for key in required:
            if key not in value:
                return False
        for key, item in value.items():
            sub = prop_checks.get(key)
            if not (sub(item) if sub is not None else extra_check(item)):
                return False
            if not name_check(key):
                return False
        return True

    return check


def _array_check(schema: Mapping[str, Any]) -> Check | None:
    if "items" not in schema:
        return _always
    item_check = compile_fast(schema["items"])
    return lambda v: not isinstance(v, list) or all(item_check(i) for i in v)
