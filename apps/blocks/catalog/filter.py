"""Filter: keep the items for which a condition is truthy.

``condition`` is evaluated once per item with ``item`` and ``index`` in scope, e.g.
``{{ item.age >= `18` }}``, so the engine leaves it unresolved (a deferred field).
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
    register,
    truthy,
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items", "condition"],
    "properties": {
        "items": {"type": "array"},
        "condition": {"description": "Evaluated per item with `item` and `index` in scope."},
    },
}

SPEC = BlockSpec(
    side_effects=False,
    key="filter",
    version=1,
    title="Filter",
    category=Category.FILTER,
    icon="filter",
    description="Keep the items that match a condition.",
    config_schema=CONFIG_SCHEMA,
    outputs={"items": "array", "count": "integer", "dropped": "integer"},
    deferred_fields=frozenset({"condition"}),
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Evaluate the condition per item, keeping order."""
    items = config["items"]
    if not isinstance(items, list):
        raise BlockError(
            f"config.items must be a list, got {type(items).__name__}", code="invalid_config"
        )
    condition = config["condition"]
    kept = [
        item
        for index, item in enumerate(items)
        if truthy(ctx.evaluate(condition, {"item": item, "index": index}))
    ]
    return BlockResult(
        outputs={"items": kept, "count": len(kept), "dropped": len(items) - len(kept)}
    )
