"""Manual trigger: the entry of workflows started by hand, from the API or a test run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, register

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "sample": {"description": "Payload used when the run is started without one."},
        "input_schema": {
            "type": "object",
            "description": "JSON Schema (2020-12, an object schema) of the input the run "
            "takes; MCP clients see it as the tool's input schema.",
        },
    },
}

SPEC = BlockSpec(
    side_effects=False,
    key="manual_trigger",
    version=1,
    title="Manual trigger",
    category=Category.TRIGGER,
    icon="play",
    description="Starts the workflow with the payload given to the run.",
    config_schema=CONFIG_SCHEMA,
    input_ports=(),
    outputs={"*": "json"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Output the run's payload (an object as it is, anything else as ``{"value": ...}``)."""
    payload = inputs.get("payload")
    if payload is None:
        payload = config.get("sample") or {}
    return BlockResult(outputs=payload if isinstance(payload, Mapping) else {"value": payload})
