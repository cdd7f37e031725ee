"""Error trigger: entry of the workflow-level error branch.

When a step fails and no ``error`` edge handles it, the run stops, then the nodes after
this one run with the failure as ``trigger``-like data: ``nodes.<id>.output.error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, register

CONFIG_SCHEMA: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}

SPEC = BlockSpec(
    side_effects=False,
    key="error_trigger",
    version=1,
    title="On workflow error",
    category=Category.LOGIC,
    icon="alert-triangle",
    config_schema=CONFIG_SCHEMA,
    input_ports=(),
    description="Runs the branch after it when the workflow fails with an unhandled error.",
    outputs={"error": "object", "execution_id": "string"},
    error_entry=True,
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Expose the failure (message, code, node_id, block, attempts) to the error branch."""
    return BlockResult(outputs={"error": inputs.get("error"), "execution_id": ctx.execution_id})
