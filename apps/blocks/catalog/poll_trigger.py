"""Polling trigger: fetch a source on an interval and start a run per new item (or batch).

The trigger app keeps the cursor (high-water mark and seen ids) on the trigger row, so a
republish or an edit of the workflow neither loses nor repeats an item.
"""

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, register

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source"],
    "properties": {
        "interval_s": {"type": "integer", "minimum": 5, "maximum": 86400, "default": 300},
        "source": {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": {"enum": ["http", "connector"]},
                "url": {"type": "string", "minLength": 1, "maxLength": 2000},
                "method": {"enum": ["GET", "POST"], "default": "GET"},
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                "query": {"type": "object"},
                # kind "connector": a read (GET) operation of the catalogue, its arguments
                # (validated against the operation's parameters) and a credential for it.
                "connector": {"type": "string", "minLength": 1, "maxLength": 80},
                "operation": {"type": "string", "minLength": 1, "maxLength": 150},
                "arguments": {"type": "object"},
                # Either kind: a stored credential authenticates the request (never headers).
                "credential_id": {"type": ["string", "null"]},
            },
        },
        # JMESPath to the list of items in the response ("@" = the response is the list).
        "items_path": {"type": "string", "minLength": 1, "maxLength": 500, "default": "@"},
        # JMESPath to an item's stable id (seen-id de-duplication).
        "id_path": {"type": "string", "minLength": 1, "maxLength": 500, "default": "id"},
        # Optional high-water mark: an item field that only grows (a timestamp or sequence),
        # and the query parameter that sends the last seen value to the source.
        "cursor_path": {"type": "string", "minLength": 1, "maxLength": 500},
        "cursor_param": {"type": "string", "minLength": 1, "maxLength": 100},
        "max_items": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
        "mode": {"enum": ["per_item", "batch"], "default": "per_item"},
        "backoff": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "multiplier": {"type": "number", "minimum": 1, "maximum": 10, "default": 2},
                "max_interval_s": {
                    "type": "integer",
                    "minimum": 5,
                    "maximum": 86400,
                    "default": 3600,
                },
            },
            "default": {"multiplier": 2, "max_interval_s": 3600},
        },
    },
}

SPEC = BlockSpec(
    key="poll_trigger",
    version=1,
    title="Polling",
    category=Category.TRIGGER,
    icon="refresh",
    config_schema=CONFIG_SCHEMA,
    description="Start the workflow for each new item found at a URL or connector operation.",
    input_ports=(),
    outputs={"item": "any", "items": "array", "polled_at": "string"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Pass the new item (or the batch) on as the trigger's output."""
    payload = inputs.get("payload")
    return BlockResult(outputs=dict(payload) if isinstance(payload, Mapping) else {})
