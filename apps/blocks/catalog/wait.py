"""Wait: for a duration, until a time, or for a resume call from outside.

In ``resume`` mode the engine returns ``waiting`` with this step's key in ``awaiting``;
the host resumes it through the resume port (the payload becomes ``output.payload``).
With ``timeout_seconds``, an expired wait takes the ``timeout`` port
(``on_timeout: route``) or fails the step (``on_timeout: fail``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockError,
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
        "mode": {"enum": ["duration", "until", "resume"], "default": "resume"},
        "seconds": {"type": "number", "minimum": 0},
        "until": {"type": "string"},
        "timeout_seconds": {"type": "number", "exclusiveMinimum": 0},
        "on_timeout": {"enum": ["route", "fail"], "default": "fail"},
    },
    "allOf": [
        {
            "if": {"properties": {"mode": {"const": "duration"}}, "required": ["mode"]},
            "then": {"required": ["seconds"]},
        },
        {
            "if": {"properties": {"mode": {"const": "until"}}, "required": ["mode"]},
            "then": {"required": ["until"]},
        },
    ],
}

SPEC = BlockSpec(
    side_effects=False,
    key="wait",
    version=1,
    title="Wait",
    category=Category.DELAY,
    icon="pause",
    description="Pause until a time or until the run is resumed from outside.",
    config_schema=CONFIG_SCHEMA,
    output_ports=("main", "timeout"),
    outputs={"payload": "json", "timed_out": "boolean"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Park on first call; on wake-up, pass the resume payload on or handle the timeout."""
    mode = config.get("mode", "resume")
    wake = ctx.wake
    if wake is not None:
        if wake.reason == "resume":
            return BlockResult(outputs={"payload": wake.payload, "timed_out": False})
        if mode != "resume":
            return BlockResult(outputs={"payload": None, "timed_out": False})
        if config.get("on_timeout") == "route":
            return BlockResult(outputs={"payload": None, "timed_out": True}, handles=("timeout",))
        raise BlockError("timed out waiting to be resumed", code="wait_timeout")
    now = ctx.now()
    if mode == "duration":
        return BlockResult(
            park=Park(until=now + timedelta(seconds=float(config["seconds"])), reason="wait")
        )
    if mode == "until":
        return BlockResult(park=Park(until=parse_datetime(config["until"]), reason="wait"))
    timeout = config.get("timeout_seconds")
    return BlockResult(
        park=Park(
            until=now + timedelta(seconds=float(timeout)) if timeout else None,
            resume_token_required=True,
            reason="waiting for resume",
        )
    )
