"""Set output: declare the workflow's output (what the run API and a parent workflow get)."""

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
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["values"],
    "properties": {"values": {"type": "object"}},
}

SPEC = BlockSpec(
    side_effects=False,
    key="set_output",
    version=1,
    title="Set workflow output",
    category=Category.DATA,
    icon="log-out",
    description="The resolved values become the workflow's output.",
    config_schema=CONFIG_SCHEMA,
    ui={"values": UiHint(widget="key_value")},
    outputs={"*": "json"},
    workflow_output=True,
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Output the values; the engine takes them as the workflow output."""
    values = config["values"]
    if not isinstance(values, Mapping):
        raise BlockError("config.values must resolve to an object", code="invalid_config")
    return BlockResult(outputs=values)
