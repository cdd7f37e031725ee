"""Schedule trigger: cron in an IANA time zone, fired by the platform's beat-driven tick.

DST policy (stated, tested in the trigger app): a local time skipped by the spring-forward
gap fires once at the next valid instant; a local time repeated by the fall-back overlap
fires once, at its first occurrence.
"""

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, UiHint, register

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cron"],
    "properties": {
        "cron": {"type": "string", "minLength": 1, "maxLength": 200},
        "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "default": "UTC"},
        "overlap": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                # skip: drop a fire while a run is unfinished; queue: fire it once the
                # running ones finish; allow: up to max_instances concurrent runs.
                "policy": {"enum": ["skip", "queue", "allow"], "default": "allow"},
                "max_instances": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
            },
            "default": {"policy": "allow", "max_instances": 10},
        },
        "misfire": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                # After downtime (the scheduler stopped): catch_up runs the latest
                # max_catch_up missed fires (by default the one latest), skip runs none.
                "policy": {"enum": ["skip", "catch_up"], "default": "catch_up"},
                "max_catch_up": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1},
                # A fire later than this after its time counts as missed.
                "grace_s": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 60},
            },
            "default": {"policy": "catch_up", "max_catch_up": 1, "grace_s": 60},
        },
        "payload": {"type": "object", "default": {}},
    },
}

SPEC = BlockSpec(
    key="schedule_trigger",
    version=1,
    title="Schedule",
    category=Category.TRIGGER,
    icon="clock",
    config_schema=CONFIG_SCHEMA,
    ui={
        "cron": UiHint(placeholder="0 9 * * 1-5", inline=True),
        "timezone": UiHint(placeholder="Europe/Berlin"),
        "overlap": UiHint(group="When runs overlap"),
        "misfire": UiHint(group="After downtime"),
    },
    description="Start the workflow on a cron schedule in a time zone.",
    input_ports=(),
    outputs={
        "scheduled_for": "string",
        "fired_at": "string",
        "timezone": "string",
        "payload": "object",
    },
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Pass the fire (its scheduled time and payload) on as the trigger's output."""
    payload = inputs.get("payload")
    return BlockResult(outputs=dict(payload) if isinstance(payload, Mapping) else {})
