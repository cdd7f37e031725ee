"""Retention: finished executions are deleted once older than their workspace keeps them.

Succeeded and cancelled runs go after `Workspace.keep_succeeded_days`, failed runs after
`keep_failed_days`; runs that have not finished are never touched. Work is done in small
batches, each its own short transaction, so no lock is held for long and the API and the
workers go on beside it: the steps of a batch are deleted a slice at a time (a loop can have
10,000 of them), then the executions themselves. What a deleted run or step counted in the
Monitoring page's rollups is subtracted in the transaction that deletes it
(monitoring/rollup_retention.py). Rows that point at a deleted run (webhook deliveries,
schedule fires, re-runs, sub-workflows) keep theirs as NULL.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.workflows.models import Execution, ExecutionLog, ExecutionStep
from apps.workflows.monitoring.rollup_retention import runs_leave, steps_leave
from apps.workspaces.models import Workspace

logger = logging.getLogger(__name__)

S = Execution.Status
_KEPT_BY = {"keep_succeeded_days": (S.SUCCEEDED, S.CANCELLED), "keep_failed_days": (S.FAILED,)}


def executions_expire(
    *, now: datetime | None = None, batch: int | None = None, max_batches: int | None = None
) -> int:
    """Delete expired executions, at most `max_batches` batches of `batch`; the number gone."""
    now = now or timezone.now()
    batch = batch or settings.EXECUTION_RETENTION_BATCH
    budget = max_batches or settings.EXECUTION_RETENTION_MAX_BATCHES
    deleted = 0
    for workspace in Workspace.objects.only("id", *_KEPT_BY).order_by("id").iterator():
        for field, statuses in _KEPT_BY.items():
            cutoff = now - timedelta(days=getattr(workspace, field))
            while budget > 0:
                budget -= 1
                gone = _delete_batch(workspace.pk, statuses, cutoff, batch)
                deleted += gone
                if gone < batch:
                    break
            if budget <= 0:
                break
    if deleted:
        logger.info("execution.retention_deleted", extra={"deleted": deleted})
    return deleted


def _delete_batch(
    workspace_id: object, statuses: tuple[str, ...], cutoff: datetime, batch: int
) -> int:
    # The oldest first, by the (workspace, created_at) index.
    ids = list(
        Execution.objects.filter(
            workspace_id=workspace_id, status__in=statuses, created_at__lt=cutoff
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return 0
    slice_size = settings.EXECUTION_RETENTION_STEP_BATCH
    for model in (ExecutionStep, ExecutionLog):
        while True:
            # A transaction per slice: each DELETE holds its row locks only for itself.
            with transaction.atomic():
                pks = list(
                    model.objects.filter(execution_id__in=ids).values_list("pk", flat=True)[
                        :slice_size
                    ]
                )
                if not pks:
                    break
                if model is ExecutionStep:
                    steps_leave(pks)
                model.objects.filter(pk__in=pks).delete()
    with transaction.atomic():
        # Re-checked under the statement itself: a run re-queued meanwhile stays.
        gone = list(
            Execution.objects.select_for_update()
            .filter(pk__in=ids, status__in=statuses)
            .values_list("pk", flat=True)
        )
        runs_leave(gone)
        _, by_model = Execution.objects.filter(pk__in=gone).delete()
    return by_model.get(Execution._meta.label, 0)
