"""Polling kind: fetch a source on an interval; cursor and seen ids live on the trigger row."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from apps.blocks.catalog.poll_trigger import CONFIG_SCHEMA
from apps.triggers.poll_sources import source_problems
from apps.triggers.registry import Problems, TriggerSpec, trigger_registry


def check(config: Mapping[str, Any]) -> Problems:
    """Paths must compile; an HTTP source needs a URL, a connector source an operation."""
    problems: Problems = {}
    for name in ("items_path", "id_path", "cursor_path"):
        if name in config:
            try:
                jmespath.compile(config[name])
            except JMESPathError as exc:
                problems[f"config.{name}"] = [f"Invalid JMESPath: {exc}"]
    source = config.get("source") or {}
    if source.get("kind") == "http":
        url = source.get("url", "")
        if not url.startswith(("http://", "https://")):
            problems["config.source.url"] = ["An http(s) URL is required."]
    elif source.get("kind") == "connector":
        for name in ("connector", "operation"):
            if not source.get(name):
                problems[f"config.source.{name}"] = [f"A connector source needs its {name}."]
    if "cursor_param" in config and "cursor_path" not in config:
        problems["config.cursor_param"] = ["cursor_param needs cursor_path."]
    return problems


def first_fire(config: Mapping[str, Any], now: datetime) -> datetime:
    """Poll right away: the first poll records the baseline."""
    return now


SPEC = trigger_registry.register(
    TriggerSpec(
        kind="poll",
        block_type="poll_trigger",
        title="Polling",
        config_schema=CONFIG_SCHEMA,
        check=check,
        check_in_workspace=source_problems,
        first_fire=first_fire,
        keeps_cursor=True,
    )
)
