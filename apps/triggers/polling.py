"""Polling: fetch the source, find new items, start one run per item (or per batch).

The fetch happens without a lock; the bookkeeping then runs in one transaction holding the
trigger row (``select_for_update``): the cursor is re-read there, so two polls of the same
trigger (a late task and its lease-expiry re-send) can never both start a run for an item.

Cursor (``Trigger.cursor``, kept across republishes):
- ``seen``: ids of recently run items, newest last (bounded; de-duplicates items that
  reappear, and items that share the high-water value);
- ``hwm``: the highest ``cursor_path`` value run so far; items below it are old; it is sent
  as ``cursor_param`` so the source can return only newer items;
- ``baseline``: set by the first poll, which records what exists without running it.

Errors and 429s back off: the next poll is ``interval * multiplier ** consecutive_errors``
later (capped), or the source's ``Retry-After`` when longer.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import jmespath
from django.db import transaction
from django.utils import timezone

from apps.triggers.models import Trigger
from apps.triggers.poll_fetch import PollFailed, fetch, outbound_client
from apps.triggers.services import trigger_record_error
from apps.workflows.models import Execution
from apps.workflows.services import execution_create

__all__ = ["PollFailed", "outbound_client", "poll_run"]

logger = logging.getLogger(__name__)
SEEN_KEEP = 2000


def _items(config: dict[str, Any], data: Any) -> list[Any]:
    found = jmespath.search(config.get("items_path", "@"), data)
    if found is None:
        return []
    if not isinstance(found, list):
        raise PollFailed("items_path did not select a list.")
    return found


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def poll_run(*, trigger_id: Any, now: datetime | None = None) -> dict[str, int]:
    """Poll one trigger once; returns counts. Safe to run twice (see the module doc)."""
    # A poll sent before its trigger was switched off or unpublished does nothing.
    trigger = Trigger.objects.filter(
        pk=trigger_id, is_active=True, enabled=True, kind=Trigger.Kind.POLL
    ).first()
    if trigger is None:
        return {"started": 0}
    config = trigger.config
    try:
        data = fetch(config, dict(trigger.cursor or {}), workspace_id=trigger.workspace_id)
        items = _items(config, data)
    except PollFailed as exc:
        _failed(trigger, config, exc, now or timezone.now())
        return {"started": 0, "error": 1}
    except jmespath.exceptions.JMESPathError as exc:
        _failed(trigger, config, PollFailed(f"JMESPath error: {exc}"), now or timezone.now())
        return {"started": 0, "error": 1}
    now = now or timezone.now()
    id_path = jmespath.compile(config.get("id_path", "id"))
    cursor_path = jmespath.compile(config["cursor_path"]) if config.get("cursor_path") else None
    with transaction.atomic():
        locked = (
            Trigger.objects.select_for_update(of=("self",))
            .select_related("workflow__published_version")
            .filter(pk=trigger.pk, is_active=True, enabled=True)
            .first()
        )
        if locked is None or locked.workflow.published_version_id is None:
            return {"started": 0}
        state = dict(locked.cursor or {})
        seen: list[str] = list(state.get("seen") or [])
        seen_set = set(seen)
        hwm = state.get("hwm")
        fresh: list[tuple[str, Any, Any]] = []
        for item in items:
            item_id = id_path.search(item)
            if item_id is None:
                continue
            key = str(item_id)
            mark = cursor_path.search(item) if cursor_path else None
            if key in seen_set or (
                hwm is not None and mark is not None and _sortable(mark) < _sortable(hwm)
            ):
                continue
            seen_set.add(key)
            fresh.append((key, mark, item))
        if cursor_path:
            fresh.sort(key=lambda entry: _sortable(entry[1]) if entry[1] is not None else (2, 0))
        baseline = not state.get("baseline")
        run = [] if baseline else fresh[: int(config.get("max_items", 100))]
        recorded = fresh if baseline else run  # items beyond max_items wait for the next poll
        started = 0
        if run:
            version = locked.workflow.published_version
            if config.get("mode") == "batch":
                execution_create(
                    workflow=locked.workflow,
                    mode=Execution.Mode.POLL,
                    trigger=locked,
                    version=version,
                    input={"items": [i for _, _, i in run], "polled_at": now.isoformat()},
                )
                started = 1
            else:
                for _, _, item in run:
                    execution_create(
                        workflow=locked.workflow,
                        mode=Execution.Mode.POLL,
                        trigger=locked,
                        version=version,
                        input={"item": item, "polled_at": now.isoformat()},
                    )
                    started += 1
        for key, mark, _ in recorded:
            seen.append(key)
            if mark is not None and (hwm is None or _sortable(mark) > _sortable(hwm)):
                hwm = mark
        state.update(
            {
                "seen": seen[-SEEN_KEEP:],
                "hwm": hwm,
                "baseline": True,
                "last_poll_at": now.isoformat(),
            }
        )
        locked.cursor = state
        locked.consecutive_errors = 0
        backlog = len(fresh) > len(run) and not baseline
        locked.next_fire_at = now + timedelta(
            seconds=1 if backlog else int(config.get("interval_s", 300))
        )
        if started:
            locked.last_fired_at = now
        locked.save(
            update_fields=[
                "cursor",
                "consecutive_errors",
                "next_fire_at",
                "last_fired_at",
                "updated_at",
            ]
        )
    return {"started": started, "new": len(fresh), "baseline": int(baseline)}


def _failed(trigger: Trigger, config: dict[str, Any], exc: PollFailed, now: datetime) -> None:
    backoff = config.get("backoff") or {}
    errors = trigger.consecutive_errors + 1
    interval = float(config.get("interval_s", 300))
    delay = min(
        interval * float(backoff.get("multiplier", 2)) ** errors,
        float(backoff.get("max_interval_s", 3600)),
    )
    if exc.retry_after:
        delay = max(delay, float(exc.retry_after))
    trigger_record_error(trigger_id=trigger.pk, message=str(exc), now=now)
    Trigger.objects.filter(pk=trigger.pk, is_active=True, enabled=True).update(
        next_fire_at=now + timedelta(seconds=delay)
    )
    logger.info(
        "triggers.poll_failed",
        extra={"trigger_id": str(trigger.pk), "error": str(exc), "retry_in_s": delay},
    )
