"""Stop and fail: end the run as failed with a message (an ``error`` edge may catch it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockError, BlockResult, BlockSpec, Category, register

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "minLength": 1},
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "default": "stopped"},
    },
}

SPEC = BlockSpec(
    side_effects=False,
    key="stop_and_fail",
    version=1,
    title="Stop and fail",
    category=Category.LOGIC,
    icon="octagon",
    description="Fail the workflow with a message.",
    config_schema=CONFIG_SCHEMA,
    output_ports=("main",),
    outputs={"*": "null"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Always fail, never retried."""
    code = str(config.get("code", "stopped"))
    raise BlockError(str(config["message"]), retryable=False, code=code)
