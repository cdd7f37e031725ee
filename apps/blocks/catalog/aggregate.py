"""Aggregate: count, sum, min, max, avg and collect over items, optionally grouped.

``group_by`` and each operation's ``value`` are evaluated per item (``{{ item.region }}``),
so the engine leaves them unresolved (deferred fields). Null values are ignored by
sum/min/max/avg, as in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockError, BlockResult, BlockSpec, Category, register

OPS = ("count", "sum", "min", "max", "avg", "collect")

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items", "operations"],
    "properties": {
        "items": {"type": "array"},
        "group_by": {"description": "Evaluated per item; items with equal keys form a group."},
        "operations": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["op", "as"],
                "properties": {
                    "op": {"enum": list(OPS)},
                    "value": {"description": "Evaluated per item; not needed for count."},
                    "as": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                },
            },
        },
    },
}

SPEC = BlockSpec(
    side_effects=False,
    key="aggregate",
    version=1,
    title="Aggregate",
    category=Category.AGGREGATE,
    icon="sigma",
    description="Summarise items: group by a key and count, sum, min, max, avg or collect.",
    config_schema=CONFIG_SCHEMA,
    outputs={"groups": "array", "*": "json"},
    deferred_fields=frozenset({"group_by", "operations"}),
)


def _number(value: Any, op: str, name: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BlockError(
            f"{op} of {name!r} needs numbers, got {type(value).__name__}", code="invalid_value"
        )
    return value


def _apply(op: str, name: str, values: list[Any]) -> Any:
    if op == "count":
        return len(values)
    if op == "collect":
        return values
    present = [v for v in values if v is not None]
    if op in ("sum", "avg"):
        numbers = [_number(v, op, name) for v in present]
        if op == "sum":
            return sum(numbers)
        return sum(numbers) / len(numbers) if numbers else None
    if not present:
        return None
    try:
        return min(present) if op == "min" else max(present)
    except TypeError:
        raise BlockError(
            f"{op} of {name!r} got values that cannot be compared", code="invalid_value"
        ) from None


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """One pass to group and evaluate, then each operation per group."""
    items = config["items"]
    if not isinstance(items, list):
        raise BlockError(
            f"config.items must be a list, got {type(items).__name__}", code="invalid_config"
        )
    operations = config["operations"]
    group_by = config.get("group_by")
    groups: dict[str, tuple[Any, dict[str, list[Any]]]] = {}
    for index, item in enumerate(items):
        scope = {"item": item, "index": index}
        key = ctx.evaluate(group_by, scope) if group_by is not None else None
        bucket_key = repr(key)  # keys may be lists or objects; group on their value
        _, columns = groups.setdefault(bucket_key, (key, {op["as"]: [] for op in operations}))
        for op in operations:
            value = ctx.evaluate(op["value"], scope) if "value" in op else item
            columns[op["as"]].append(value)
    results = [
        {
            "key": key,
            **{op["as"]: _apply(op["op"], op["as"], columns[op["as"]]) for op in operations},
        }
        for key, columns in groups.values()
    ]
    if group_by is None:
        summary = (
            results[0]
            if results
            else {op["as"]: _apply(op["op"], op["as"], []) for op in operations}
        )
        summary.pop("key", None)
        return BlockResult(outputs={**summary, "groups": []})
    return BlockResult(outputs={"groups": results})
