"""Set variables: write values into the execution's ``vars``.

Later steps read them as ``{{ vars.<name> }}``. Parallel branches see an update only if
they start after it, so use variables for sequential logic, not to pass data between
concurrent branches (use node outputs for that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, register

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["variables"],
    "properties": {
        "variables": {"type": "object", "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}},
    },
}

SPEC = BlockSpec(
    side_effects=False,
    key="set_variables",
    version=1,
    title="Set variables",
    category=Category.DATA,
    icon="variable",
    description="Set execution variables for later steps.",
    config_schema=CONFIG_SCHEMA,
    outputs={"variables": "object"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Hand the resolved values to the engine, which merges them into ``vars``."""
    values = dict(config["variables"])
    return BlockResult(outputs={"variables": values}, variables=values)
