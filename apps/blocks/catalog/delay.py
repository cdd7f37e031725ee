"""Delay: park the execution for a while. Never sleeps in a worker: the host wakes the
execution at the wake-up time and the engine continues after this node."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockResult,
    BlockSpec,
    Category,
    Park,
    parse_datetime,
    register,
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "seconds": {"type": "number", "minimum": 0, "maximum": 31_536_000},
        "until": {"type": "string", "description": "ISO 8601 date-time with a time zone."},
    },
    "oneOf": [{"required": ["seconds"]}, {"required": ["until"]}],
}

SPEC = BlockSpec(
    side_effects=False,
    key="delay",
    version=1,
    title="Delay",
    category=Category.DELAY,
    icon="clock",
    description="Wait for a duration or until a time, without holding a worker.",
    config_schema=CONFIG_SCHEMA,
    outputs={"until": "string", "resumed_at": "string"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Park until the time; when woken, pass on."""
    now = ctx.now()
    if ctx.wake is not None:
        until = ctx.wake.until or now
        return BlockResult(outputs={"until": until.isoformat(), "resumed_at": now.isoformat()})
    until = (
        now + timedelta(seconds=float(config["seconds"]))
        if "seconds" in config
        else parse_datetime(config["until"])
    )
    if until <= now:
        return BlockResult(outputs={"until": until.isoformat(), "resumed_at": now.isoformat()})
    return BlockResult(outputs={"until": until.isoformat()}, park=Park(until=until, reason="delay"))
