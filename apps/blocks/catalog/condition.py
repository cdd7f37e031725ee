"""Condition: route to ``true`` or ``false``.

Either one JMESPath expression (``{{ nodes.http.output.status == `200` }}``, JMESPath
truthiness) or structured ``conditions`` (left, operator, right) combined with and/or.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    UiHint,
    register,
    truthy,
)

UNARY = ("is_empty", "is_not_empty", "exists", "not_exists", "is_true", "is_false")
BINARY = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "in",
    "not_in",
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "expression": {"description": "A value or {{ expression }}; its truthiness decides."},
        "conditions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["left", "operator"],
                "properties": {
                    "left": {},
                    "right": {},
                    "operator": {"enum": [*BINARY, *UNARY]},
                },
            },
        },
        "combine": {"enum": ["and", "or"], "default": "and"},
    },
    "oneOf": [{"required": ["expression"]}, {"required": ["conditions"]}],
}

SPEC = BlockSpec(
    side_effects=False,
    key="condition",
    version=1,
    title="Condition",
    category=Category.CONDITION,
    icon="git-branch",
    description="Continue on the true or the false branch.",
    config_schema=CONFIG_SCHEMA,
    ui={
        "expression": UiHint(placeholder="{{ nodes.fetch.output.status == `200` }}", inline=True),
        "conditions": UiHint(widget="condition_list"),
        "combine": UiHint(widget="select"),
    },
    output_ports=("true", "false"),
    outputs={"result": "boolean"},
)


def compare(left: Any, operator: str, right: Any) -> bool:
    """One structured comparison; incomparable types are the user's error, not False."""
    try:
        match operator:
            case "eq":
                return bool(left == right)
            case "ne":
                return bool(left != right)
            case "gt":
                return bool(left > right)
            case "gte":
                return bool(left >= right)
            case "lt":
                return bool(left < right)
            case "lte":
                return bool(left <= right)
            case "contains" | "not_contains":
                found = right in left if isinstance(left, str | list | dict) else False
                return found if operator == "contains" else not found
            case "in" | "not_in":
                found = left in right if isinstance(right, str | list | dict) else False
                return found if operator == "in" else not found
            case "starts_with":
                return isinstance(left, str) and isinstance(right, str) and left.startswith(right)
            case "ends_with":
                return isinstance(left, str) and isinstance(right, str) and left.endswith(right)
            case "is_empty":
                return left is None or left in ("", [], {})
            case "is_not_empty":
                return not (left is None or left in ("", [], {}))
            case "exists":
                return left is not None
            case "not_exists":
                return left is None
            case "is_true":
                return left is True
            case "is_false":
                return left is False
    except TypeError:
        raise BlockError(
            f"cannot compare {type(left).__name__} {operator} {type(right).__name__}",
            code="invalid_comparison",
        ) from None
    raise BlockError(f"unknown operator {operator!r}", code="invalid_config")


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Evaluate and activate exactly one of the two ports."""
    if "expression" in config:
        result = truthy(config["expression"])
    else:
        checks = (
            compare(c.get("left"), c["operator"], c.get("right")) for c in config["conditions"]
        )
        result = all(checks) if config.get("combine", "and") == "and" else any(checks)
    return BlockResult(outputs={"result": result}, handles=("true",) if result else ("false",))
