"""Connector call metrics are kept for a window, then deleted by the housekeeping retention
task (apps/workflows/tasks.py), like the runs they partly describe.

The minute rows (``ConnectorCallBucket``) would otherwise grow by up to 1,440 rows a day per
workspace and connector. They go in batches of primary keys, one short statement each, found
per workspace by the (workspace, bucket) index: the oldest first.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from apps.connectors.models import ConnectorCallBucket
from apps.workspaces.models import Workspace

logger = logging.getLogger(__name__)


def call_buckets_prune(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Delete the minute rows older than ``CONNECTOR_CALL_METRICS_KEEP_DAYS``; the number
    gone (at most ``CONNECTOR_CALL_METRICS_PRUNE_MAX_BATCHES`` batches a call)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CONNECTOR_CALL_METRICS_KEEP_DAYS)
    batch = batch or settings.CONNECTOR_CALL_METRICS_PRUNE_BATCH
    budget = settings.CONNECTOR_CALL_METRICS_PRUNE_MAX_BATCHES
    deleted = 0
    for workspace_id in Workspace.objects.order_by("pk").values_list("pk", flat=True).iterator():
        old = ConnectorCallBucket.objects.filter(workspace_id=workspace_id, bucket__lt=cutoff)
        while budget > 0:
            budget -= 1
            pks = list(old.order_by("bucket").values_list("pk", flat=True)[:batch])
            gone, _ = ConnectorCallBucket.objects.filter(pk__in=pks).delete()
            deleted += gone
            if len(pks) < batch:
                break
    if deleted:
        logger.info("connector.call_metrics_pruned", extra={"deleted": deleted})
    return deleted
