"""Transform: build an object from a mapping of values and expressions."""

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
    "required": ["mapping"],
    "properties": {"mapping": {"type": "object"}},
}

SPEC = BlockSpec(
    side_effects=False,
    key="transform",
    version=1,
    title="Transform",
    category=Category.TRANSFORM,
    icon="shuffle",
    description="Shape data: each key of the mapping becomes a key of the output.",
    config_schema=CONFIG_SCHEMA,
    ui={"mapping": UiHint(widget="key_value")},
    outputs={"*": "json"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """The resolved mapping is the output."""
    mapping = config["mapping"]
    if not isinstance(mapping, Mapping):
        raise BlockError("config.mapping must resolve to an object", code="invalid_config")
    return BlockResult(outputs=mapping)
