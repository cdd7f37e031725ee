"""Schedule kind: cron in an IANA time zone (DST policy in ``apps.triggers.cron``)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from apps.blocks.catalog.schedule_trigger import CONFIG_SCHEMA
from apps.triggers import cron
from apps.triggers.registry import Problems, TriggerSpec, trigger_registry


def check(config: Mapping[str, Any]) -> Problems:
    """The expression and the zone must be usable."""
    try:
        cron.validate(config["cron"], config.get("timezone", "UTC"))
    except cron.CronInvalid as exc:
        field = "config.timezone" if "time zone" in str(exc) else "config.cron"
        return {field: [str(exc)]}
    return {}


def first_fire(config: Mapping[str, Any], now: datetime) -> datetime:
    """The first fire after activation: the next cron instant after now."""
    return cron.next_after(config["cron"], config.get("timezone", "UTC"), now)


SPEC = trigger_registry.register(
    TriggerSpec(
        kind="schedule",
        block_type="schedule_trigger",
        title="Schedule",
        config_schema=CONFIG_SCHEMA,
        check=check,
        first_fire=first_fire,
    )
)
