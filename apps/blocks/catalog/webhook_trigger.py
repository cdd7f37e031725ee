"""Webhook trigger: the entry of a workflow started by a signed HTTP request.

The trigger app owns ingest (verification, rate limit, durable accept); this block only
hands the accepted request (``method``, ``headers``, ``query``, ``body``, ``delivery_id``)
to the rest of the graph as ``trigger``.
"""

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, UiHint, register

HEADER_NAME = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$"  # an RFC 9110 token

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "methods": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
            "default": ["POST"],
        },
        # The one-method shorthand of docs/ARCHITECTURE.md's example; "methods" wins when both.
        "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
        "verification": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                # A preset key from the trigger catalogue (github, slack, stripe,
                # standard_webhooks, hmac_sha256, hmac_sha1, ...); "none" accepts unsigned.
                "preset": {"type": "string", "minLength": 1, "maxLength": 64, "default": "none"},
                # Overrides for the generic presets.
                "header": {"type": "string", "minLength": 1, "maxLength": 100},
                "tolerance_s": {"type": "integer", "minimum": 1, "maximum": 86400},
            },
            "default": {"preset": "none"},
        },
        "challenges": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": ["slack_url_verification", "hub_challenge", "validation_token"]},
            "default": [],
        },
        "hub_verify_token": {"type": "string", "maxLength": 200},
        # Headers a delivery must carry (apps/triggers/required_headers.py): an exact value
        # or a regular expression each; anything else is refused with 401.
        "headers": {
            "type": "array",
            "maxItems": 10,
            "default": [],
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "pattern": HEADER_NAME},
                    "value": {"type": "string", "minLength": 1, "maxLength": 1024},
                    "pattern": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 256,
                        "format": "regex",
                    },
                },
            },
        },
        "response": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "mode": {"enum": ["immediate", "wait"], "default": "immediate"},
                "timeout_s": {"type": "number", "minimum": 0.1, "maximum": 30, "default": 10},
            },
            "default": {"mode": "immediate", "timeout_s": 10},
        },
        "rate_limit": {
            "type": "object",
            "additionalProperties": False,
            "required": ["limit", "per_s"],
            "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": 1000000},
                "per_s": {"type": "integer", "minimum": 1, "maximum": 86400},
            },
            "default": {"limit": 6000, "per_s": 60},
        },
        "max_body_bytes": {"type": "integer", "minimum": 1, "maximum": 2097152, "default": 1048576},
    },
}

SPEC = BlockSpec(
    key="webhook_trigger",
    version=1,
    title="Webhook",
    category=Category.TRIGGER,
    icon="webhook",
    config_schema=CONFIG_SCHEMA,
    ui={
        "methods": UiHint(widget="string_list"),
        # The one-method shorthand stays accepted, but the form edits only "methods".
        "method": UiHint(hidden=True),
        "challenges": UiHint(widget="string_list"),
        "hub_verify_token": UiHint(show_when={"challenges": "hub_challenge"}),
    },
    description="Start the workflow when a (signed) HTTP request arrives at its URL.",
    input_ports=(),
    outputs={
        "method": "string",
        "headers": "object",
        "query": "object",
        "body": "any",
        "delivery_id": "string",
    },
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Pass the accepted request on as the trigger's output."""
    payload = inputs.get("payload")
    return BlockResult(outputs=dict(payload) if isinstance(payload, Mapping) else {})
