"""Webhook kind: an unguessable URL per trigger, verified by a catalogue preset."""

from collections.abc import Mapping
from typing import Any

from apps.blocks.catalog.webhook_trigger import CONFIG_SCHEMA
from apps.triggers import required_headers
from apps.triggers.presets import preset_get
from apps.triggers.registry import Problems, TriggerSpec, trigger_registry


def check(config: Mapping[str, Any]) -> Problems:
    """The preset must exist in the catalogue; required headers must be well-formed."""
    problems = required_headers.problems(config.get("headers") or [])
    preset = (config.get("verification") or {}).get("preset", "none")
    if preset_get(preset) is None:
        problems["config.verification.preset"] = [f"Unknown verification preset {preset!r}."]
    return problems


def prepare(config: dict[str, Any]) -> dict[str, Any]:
    """``"method": "POST"`` (docs/ARCHITECTURE.md's example) means ``"methods": ["POST"]``."""
    if "method" in config and "methods" not in config:
        config["methods"] = [config["method"]]
    return config


SPEC = trigger_registry.register(
    TriggerSpec(
        kind="webhook",
        block_type="webhook_trigger",
        title="Webhook",
        config_schema=CONFIG_SCHEMA,
        check=check,
        prepare=prepare,
        webhook=True,
    )
)
