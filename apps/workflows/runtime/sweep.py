"""The execution sweep (beat, every few seconds): the backstop of the core loop.

It never re-sends work that is only waiting in the queue: queued executions are claimed from
the database, so nothing queued can be lost in the broker. It
- queues parked executions whose wake-up time has come;
- queues again executions whose worker died (the lease ran out), counting the death, and
  fails one whose workers died more than `EXECUTION_MAX_DELIVERIES` times in it;
- sends drain hints while queued executions exist (a hint lost with the broker, or never
  sent because the accepting process stopped right after its commit).
Safe to run concurrently: every change is a guarded UPDATE of rows claimed with SKIP LOCKED.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.workflows.models import Execution
from apps.workflows.runtime.dispatch import drain_send
from apps.workflows.runtime.run import execution_fail_dead

logger = logging.getLogger(__name__)

S = Execution.Status


def execution_sweep(*, batch: int = 500) -> dict[str, int]:
    """Wake due waits, rescue executions of dead workers, nudge the workers; the counts."""
    now = timezone.now()
    woken = (
        Execution.objects.filter(
            pk__in=Execution.objects.filter(status=S.WAITING, wake_at__lte=now).values("pk")[:batch]
        )
        .filter(status=S.WAITING)
        .update(status=S.QUEUED, wake_at=None)
    )
    rescued, failed = _rescue_dead(now, batch)
    queued = Execution.objects.filter(status=S.QUEUED).count()
    if queued:
        drain_send(count=min(queued, settings.EXECUTION_SWEEP_HINTS))
    counts = {"woken": woken, "rescued": rescued, "failed": failed, "queued": queued}
    if woken or rescued or failed:
        logger.info("execution.sweep", extra=counts)
    else:
        logger.debug("execution.sweep", extra=counts)
    return counts


def _rescue_dead(now: datetime, batch: int) -> tuple[int, int]:
    with transaction.atomic():
        dead = list(
            Execution.objects.select_for_update(skip_locked=True)
            .filter(status=S.RUNNING, lease_expires_at__lt=now)
            .values_list("pk", "deliveries")[:batch]
        )
        cap = settings.EXECUTION_MAX_DELIVERIES
        again = [pk for pk, deaths in dead if deaths + 1 <= cap]
        Execution.objects.filter(pk__in=again).update(
            status=S.QUEUED, lease_owner="", lease_expires_at=None, deliveries=F("deliveries") + 1
        )
    doomed = [pk for pk, deaths in dead if deaths + 1 > cap]
    for pk in doomed:
        execution_fail_dead(execution_id=pk)
    return len(again), len(doomed)
