"""Connector call metrics older than their window go with the housekeeping retention task,
per workspace, in batches; the rows inside the window stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.connectors.call_metrics_retention import call_buckets_prune
from apps.connectors.models import ConnectorCallBucket
from apps.workflows.tasks import expire_executions_task

pytestmark = pytest.mark.django_db


def bucket(workspace, connector, age):
    minute = (timezone.now() - age).replace(second=0, microsecond=0)
    return ConnectorCallBucket.objects.create(
        workspace=workspace, connector=connector, bucket=minute, calls=3
    ).pk


def test_minute_rows_past_the_window_go_in_batches(settings, workspace, other_workspace):
    settings.CONNECTOR_CALL_METRICS_KEEP_DAYS = 92
    old = {
        bucket(ws, connector, timedelta(days=days))
        for ws in (workspace, other_workspace)
        for connector in ("acme", "globex")
        for days in (92.01, 100, 400)
    }
    kept = {
        bucket(workspace, "acme", timedelta(days=91.99)),
        bucket(other_workspace, "globex", timedelta(minutes=1)),
    }

    assert call_buckets_prune(batch=2) == len(old)

    assert set(ConnectorCallBucket.objects.values_list("pk", flat=True)) == kept
    assert call_buckets_prune() == 0


def test_the_retention_task_prunes_them(settings, workspace):
    settings.CONNECTOR_CALL_METRICS_KEEP_DAYS = 7
    gone = bucket(workspace, "acme", timedelta(days=8))
    kept = bucket(workspace, "acme", timedelta(days=6))
    expire_executions_task()
    assert list(ConnectorCallBucket.objects.values_list("pk", flat=True)) == [kept]
    assert gone != kept
