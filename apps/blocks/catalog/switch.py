"""Switch: route to the first matching named case, else to ``default``.

A case matches when ``value`` equals its ``equals``, or when its ``when`` (usually an
expression) is truthy. Each case name is an output port of the node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import BlockContext, BlockResult, BlockSpec, Category, register, truthy

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cases"],
    "properties": {
        "value": {"description": "Compared with each case's `equals`."},
        "cases": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {
                        "type": "string",
                        "pattern": "^[A-Za-z0-9_-]{1,64}$",
                        "not": {"enum": ["default", "error"]},
                    },
                    "equals": {},
                    "when": {},
                },
                "oneOf": [{"required": ["equals"]}, {"required": ["when"]}],
            },
        },
    },
}


def case_ports(config: Mapping[str, Any]) -> tuple[str, ...]:
    cases = config.get("cases")
    if not isinstance(cases, list):
        return ()
    return tuple(
        c["name"] for c in cases if isinstance(c, Mapping) and isinstance(c.get("name"), str)
    )


SPEC = BlockSpec(
    side_effects=False,
    key="switch",
    version=1,
    title="Switch",
    category=Category.CONDITION,
    icon="split",
    description="Continue on the first matching case.",
    config_schema=CONFIG_SCHEMA,
    output_ports=("default",),
    dynamic_ports=case_ports,
    outputs={"case": "string", "value": "json"},
)


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Pick one port: the first case that matches, or ``default``."""
    value = config.get("value")
    for case in config["cases"]:
        hit = truthy(case["when"]) if "when" in case else value == case.get("equals")
        if hit:
            return BlockResult(
                outputs={"case": case["name"], "value": value}, handles=(case["name"],)
            )
    return BlockResult(outputs={"case": "default", "value": value}, handles=("default",))
