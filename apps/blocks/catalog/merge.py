"""Merge: join parallel branches, waiting for all non-skipped inputs or the first one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, register

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"mode": {"enum": ["all", "first"], "default": "all"}},
}


def join_mode(config: Mapping[str, Any]) -> str:
    return str(config.get("mode", "all"))


SPEC = BlockSpec(
    side_effects=False,
    key="merge",
    version=1,
    title="Merge",
    category=Category.PARALLEL,
    icon="git-merge",
    description="Wait for all incoming branches (or the first) and combine their outputs.",
    config_schema=CONFIG_SCHEMA,
    join=join_mode,
    outputs={"items": "array", "by_node": "object"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Combine the inputs: ``items`` in source-id order, ``by_node`` keyed by source id."""
    names = sorted(inputs)
    return BlockResult(
        outputs={"items": [inputs[n] for n in names], "by_node": {n: inputs[n] for n in names}}
    )
