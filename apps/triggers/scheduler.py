"""The tick: fire due schedules and hand due polls to the workers.

Due triggers are claimed by the indexed ``next_fire_at`` with ``SELECT ... FOR UPDATE SKIP
LOCKED`` and advanced in the same transaction, so thousands of schedules cost one query per
batch and a second scheduler running at the same moment skips the rows the first holds
(and, once it commits, sees them advanced). Each fire is also written under the unique
``(trigger, scheduled_for)`` key, the backstop for anything that bypasses the lock (SQLite
has no row locks; there IMMEDIATE transactions serialise the ticks instead).

Policies (schedule config):

- misfire: fires more than ``grace_s`` late count as missed (the platform was down).
  ``catch_up`` (the default) fires the latest ``max_catch_up`` (default 1) missed runs, each
  with its own ``scheduled_for``, and records the others as skipped; ``skip`` drops them
  all and fires only what is on time. One catch-up, not all: a daily job missed in an
  outage still runs, a minutely one does not replay the hour.
- overlap: ``allow`` fires while fewer than ``max_instances`` runs of this trigger are
  unfinished, else records the fire as skipped; ``skip`` is the same with one instance;
  ``queue`` keeps the due fire pending (``next_fire_at`` stays) and fires it, late, once
  the runs finish.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from apps.observability import metrics, tracing
from apps.triggers import cron
from apps.triggers.models import Trigger, TriggerFire
from apps.workflows.models import Execution
from apps.workflows.services import executions_create_many

logger = logging.getLogger(__name__)

CLAIM_BATCH = 200  # small batches: concurrent ticks share a burst (SKIP LOCKED)
MAX_DUE_SCAN = 1000  # fire times looked at per trigger and tick (a long outage of a 1-min cron)
POLL_LEASE = timedelta(minutes=5)
MAX_HELPERS = 3  # extra ticks a burst may start (worker processes on the triggers queue)
HELPER_TTL_S = 30  # re-sent if the poll task never reported back
UNFINISHED = (Execution.Status.QUEUED, Execution.Status.RUNNING, Execution.Status.WAITING)


@dataclass
class TickResult:
    fired: int = 0
    skipped: int = 0
    polls: int = 0
    errors: int = 0
    claimed: int = 0
    outcomes: Counter = field(default_factory=Counter)


def trigger_tick(
    *, now: datetime | None = None, batch: int = CLAIM_BATCH, fan_out: bool = False
) -> TickResult:
    """Fire every schedule due at ``now`` and send the due polls. Safe to run concurrently.

    With ``fan_out``, a tick that finds a full batch asks for one helper tick (at most
    ``MAX_HELPERS`` at a time), so a burst at a minute boundary is shared by every worker
    process of the triggers queue instead of waiting for the next beat.
    """
    now = now or timezone.now()
    result = TickResult()
    helped = False
    while True:
        polls: list[str] = []
        with transaction.atomic():
            due = list(
                Trigger.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("workflow__published_version")
                .filter(
                    is_active=True,
                    enabled=True,
                    next_fire_at__isnull=False,
                    next_fire_at__lte=now,
                    kind__in=(Trigger.Kind.SCHEDULE, Trigger.Kind.POLL),
                )
                .order_by("next_fire_at")[:batch]
            )
            if not due:
                break
            result.claimed += len(due)
            schedules = [t for t in due if t.kind == Trigger.Kind.SCHEDULE]
            running = _unfinished_counts([t.pk for t in schedules])
            changed: list[Trigger] = []
            planned: list[TriggerFire] = []
            for trigger in due:
                if trigger.workflow.published_version_id is None:
                    trigger.is_active, trigger.next_fire_at = False, None
                elif trigger.kind == Trigger.Kind.POLL:
                    polls.append(str(trigger.pk))
                    trigger.next_fire_at = now + POLL_LEASE
                    result.polls += 1
                else:
                    planned += _plan_schedule(trigger, now, running.get(trigger.pk, 0), result)
                changed.append(trigger)
            _write_fires(planned, now, result)
            _save_claimed(changed)
            if polls:
                transaction.on_commit(lambda polls=polls: _send_polls(polls))
        if len(due) < batch:
            break
        if fan_out and not helped:
            helped = _ask_for_helper()
    if result.claimed:
        logger.debug(
            "triggers.tick",
            extra={"fired": result.fired, "skipped": result.skipped, "polls": result.polls},
        )
    return result


def trigger_tick_window(*, budget_s: float = 0.9) -> TickResult:
    """Tick now, then again at each due time that falls within ``budget_s``.

    Beat sends a tick every second; a tick that only fired what was due when it started
    would fire up to a second late. Sleeping until the next due time (cheap: the partial
    index answers ``MIN(next_fire_at)``) fires on time; a concurrent tick does the same and
    the two split the burst with SKIP LOCKED.
    """
    deadline = time.monotonic() + budget_s
    total = trigger_tick(fan_out=True)
    while True:
        upcoming = (
            Trigger.objects.filter(
                is_active=True,
                enabled=True,
                next_fire_at__isnull=False,
                kind__in=(Trigger.Kind.SCHEDULE, Trigger.Kind.POLL),
            )
            .order_by("next_fire_at")
            .values_list("next_fire_at", flat=True)
            .first()
        )
        if upcoming is None:
            return total
        wait = (upcoming - timezone.now()).total_seconds()
        if wait > deadline - time.monotonic():
            return total
        if wait > 0:
            time.sleep(wait)
        result = trigger_tick(fan_out=True)
        total.fired += result.fired
        total.skipped += result.skipped
        total.polls += result.polls
        total.claimed += result.claimed
        if not result.claimed:
            time.sleep(0.02)  # another scheduler holds (or just took) those rows


def _ask_for_helper() -> bool:
    """Send one extra tick unless MAX_HELPERS are already out (a counter in the cache)."""
    from django.core.cache import cache

    from apps.triggers.tasks import tick_helper_task

    key = "triggers:tick:helpers"
    cache.add(key, 0, timeout=HELPER_TTL_S)
    try:
        if cache.incr(key) > MAX_HELPERS:
            cache.decr(key)
            return False
        tick_helper_task.apply_async(retry=False, expires=HELPER_TTL_S)
    except Exception:  # the burst still drains through the beat ticks
        logger.warning("triggers.tick_helper_failed", exc_info=True)
        return False
    return True


def tick_helper_done() -> None:
    from django.core.cache import cache

    with contextlib.suppress(ValueError):  # the counter expired meanwhile
        cache.decr("triggers:tick:helpers")


def _save_claimed(triggers: list[Trigger]) -> None:
    """Write back what the tick changed on its claimed rows in one batched statement.

    (``bulk_update`` builds one CASE expression per field and row: far slower here.)
    """
    if not triggers:
        return
    fields = [
        Trigger._meta.get_field(name)
        for name in ("next_fire_at", "last_fired_at", "is_active", "cursor")
    ]
    pk = Trigger._meta.pk
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {connection.ops.quote_name(Trigger._meta.db_table)} SET {columns} "  # noqa: S608 (model identifiers)
        f"WHERE {connection.ops.quote_name(pk.column)} = %s"
    )
    rows = [
        [f.get_db_prep_save(getattr(t, f.attname), connection) for f in fields]
        + [pk.get_db_prep_value(t.pk, connection)]
        for t in triggers
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _send_polls(trigger_ids: list[str]) -> None:
    from apps.triggers.tasks import poll_trigger_task

    for trigger_id in trigger_ids:
        try:
            poll_trigger_task.apply_async(args=[trigger_id], retry=False)
        except Exception:  # the lease makes the next tick after it re-send the poll
            logger.warning(
                "triggers.poll_enqueue_failed", extra={"trigger_id": trigger_id}, exc_info=True
            )


def _unfinished_counts(trigger_ids: list[Any]) -> dict[Any, int]:
    if not trigger_ids:
        return {}
    rows = (
        Execution.objects.filter(trigger_id__in=trigger_ids, status__in=UNFINISHED)
        .values("trigger_id")
        .annotate(n=Count("id"))
    )
    return {row["trigger_id"]: row["n"] for row in rows}


def _plan_schedule(
    trigger: Trigger, now: datetime, running: int, result: TickResult
) -> list[TriggerFire]:
    """The fires due for one locked schedule trigger (unsaved); advances its next_fire_at."""
    config = trigger.config
    expression, zone_name = config["cron"], config.get("timezone", "UTC")
    misfire = config.get("misfire") or {}
    overlap = config.get("overlap") or {}
    grace = timedelta(seconds=int(misfire.get("grace_s", 60)))
    due: list[datetime] = []
    cursor: datetime | None = trigger.next_fire_at
    try:
        while cursor is not None and cursor <= now and len(due) < MAX_DUE_SCAN:
            due.append(cursor)
            cursor = cron.next_after(expression, zone_name, cursor)
        if cursor is not None and cursor <= now:  # more than MAX_DUE_SCAN missed: jump
            cursor = cron.next_after(expression, zone_name, now)
    except cron.CronInvalid as exc:
        trigger.is_active, trigger.next_fire_at = False, None
        result.errors += 1
        logger.warning(
            "triggers.cron_invalid", extra={"trigger_id": str(trigger.pk), "error": str(exc)}
        )
        return []
    queued_for = (trigger.cursor or {}).get("queued_for")
    on_time = [d for d in due if now - d <= grace or d.isoformat() == queued_for]
    missed = [d for d in due if d not in on_time]
    fire: list[datetime] = list(on_time)
    if misfire.get("policy", "catch_up") == "catch_up" and missed:
        fire = sorted(missed[-int(misfire.get("max_catch_up", 1)) :] + on_time)
    skipped_misfire = len(missed) - len([d for d in fire if d in missed])
    if skipped_misfire:
        result.skipped += skipped_misfire
        result.outcomes[TriggerFire.Outcome.SKIPPED_MISFIRE] += skipped_misfire
    policy = overlap.get("policy", "allow")
    limit = 1 if policy == "skip" else int(overlap.get("max_instances", 10))
    next_fire = cursor
    trigger.cursor = {k: v for k, v in (trigger.cursor or {}).items() if k != "queued_for"}
    fires: list[TriggerFire] = []
    for scheduled_for in fire:
        if running >= limit:
            if policy == "queue":
                # Stay due at this time; the runs after it are decided when it fires.
                next_fire = scheduled_for
                trigger.cursor["queued_for"] = scheduled_for.isoformat()
                break
            outcome = TriggerFire.Outcome.SKIPPED_OVERLAP
        else:
            outcome = TriggerFire.Outcome.FIRED
            running += 1
            trigger.last_fired_at = now
        fires.append(TriggerFire(trigger=trigger, scheduled_for=scheduled_for, outcome=outcome))
    trigger.next_fire_at = next_fire
    return fires


def _write_fires(fires: list[TriggerFire], now: datetime, result: TickResult) -> None:
    """Record a batch of fires and queue their executions: a few statements per batch.

    The rows are locked, so a conflict on the unique key means something fired outside this
    tick (a manual insert, a scheduler without row locks); then each fire is retried alone
    and the ones already recorded are dropped.
    """
    if not fires:
        return
    try:
        with transaction.atomic():  # a conflict below also rolls these executions back
            runs = []
            for fire in fires:
                if fire.outcome == TriggerFire.Outcome.FIRED:
                    fire.execution = _execution_for(fire.trigger, fire.scheduled_for, now)
                    runs.append(fire.execution)
            executions_create_many(runs=runs)
            TriggerFire.objects.bulk_create(fires)
    except IntegrityError:
        for fire in fires:
            fire.execution = None
        for fire in fires:
            _record(fire.trigger, fire.scheduled_for, fire.outcome, result, now=now)
        return
    for fire in fires:
        result.outcomes[fire.outcome] += 1
        if fire.outcome == TriggerFire.Outcome.FIRED:
            metrics.schedule_fired(lateness_seconds=(now - fire.scheduled_for).total_seconds())
            result.fired += 1
        else:
            result.skipped += 1


def _execution_for(trigger: Trigger, scheduled_for: datetime, now: datetime) -> Execution:
    """The fire's execution, not saved yet (a batch of them is written in one INSERT)."""
    config = trigger.config
    workflow = trigger.workflow
    # Each fire starts its own trace (not the tick's, which fires many workflows): the run
    # continues it in the worker.
    with tracing.span(
        "trigger.fire",
        attributes={
            "flowplane.trigger.id": str(trigger.pk),
            "flowplane.workflow.id": str(workflow.pk),
            "flowplane.trigger.scheduled_for": scheduled_for.isoformat(),
        },
    ):
        traceparent = tracing.current_traceparent()
    return Execution(
        workspace_id=workflow.workspace_id,
        workflow=workflow,
        trigger=trigger,
        version_id=workflow.published_version_id,
        mode=Execution.Mode.SCHEDULE,
        input={
            "scheduled_for": scheduled_for.isoformat(),
            "fired_at": now.isoformat(),
            "timezone": config.get("timezone", "UTC"),
            "payload": config.get("payload") or {},
        },
        trace_context=traceparent,
    )


def _record(
    trigger: Trigger,
    scheduled_for: datetime,
    outcome: str,
    result: TickResult,
    *,
    now: datetime | None = None,
) -> bool:
    """Write the fire (and its queued execution) under the unique key; False if it exists."""
    try:
        with transaction.atomic():
            execution = None
            if outcome == TriggerFire.Outcome.FIRED:
                execution = _execution_for(trigger, scheduled_for, now or timezone.now())
                executions_create_many(runs=[execution])
            TriggerFire.objects.create(
                trigger=trigger, scheduled_for=scheduled_for, outcome=outcome, execution=execution
            )
    except IntegrityError:
        result.outcomes["duplicate"] += 1
        return False
    if outcome == TriggerFire.Outcome.FIRED:
        fired_at = now or timezone.now()
        metrics.schedule_fired(lateness_seconds=(fired_at - scheduled_for).total_seconds())
        result.fired += 1
    else:
        result.skipped += 1
    result.outcomes[outcome] += 1
    return True
