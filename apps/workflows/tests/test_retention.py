"""Retention: exactly the finished runs older than their workspace keeps them go, in batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.triggers.models import WebhookDelivery
from apps.triggers.tests.factories import published_workflow
from apps.workflows.beat import ensure_platform_tasks
from apps.workflows.models import Execution, ExecutionLog, ExecutionStep
from apps.workflows.retention import executions_expire
from apps.workflows.tasks import expire_executions_task
from apps.workflows.tests.factories import ExecutionFactory, WorkflowFactory
from apps.workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db
S = Execution.Status


def run(workflow, status, age_days, *, steps=0):
    execution = ExecutionFactory(workflow=workflow, status=status)
    # created_at is auto_now_add: age it afterwards.
    Execution.objects.filter(pk=execution.pk).update(
        created_at=timezone.now() - timedelta(days=age_days, minutes=1)
    )
    for i in range(steps):
        ExecutionStep.objects.create(
            execution=execution,
            node_id=f"n{i}",
            block_type="transform",
            block_version=1,
            status="succeeded",
        )
    ExecutionLog.objects.create(execution=execution, event="step.finished")
    return execution.pk


def test_exactly_the_expired_runs_go(settings, user):
    default = WorkflowFactory()  # 30 days for succeeded and cancelled, 90 for failed
    short_ws = WorkspaceFactory(keep_succeeded_days=1, keep_failed_days=3)
    short = WorkflowFactory(workspace=short_ws)
    expired = {
        run(default, S.SUCCEEDED, 31, steps=7),
        run(default, S.CANCELLED, 31),
        run(default, S.FAILED, 91, steps=3),
        run(short, S.SUCCEEDED, 2, steps=2),
        run(short, S.FAILED, 4),
        run(short, S.SUCCEEDED, 5),
    }
    kept = {
        run(default, S.SUCCEEDED, 29, steps=2),
        run(default, S.FAILED, 89, steps=2),
        run(default, S.FAILED, 31),
        # Not finished: never deleted, however old.
        run(default, S.QUEUED, 400),
        run(default, S.RUNNING, 400),
        run(default, S.WAITING, 400),
        run(short, S.FAILED, 2),
    }
    hook = published_workflow(
        workspace=short_ws, user=user, block_type="webhook_trigger", config={}
    )
    delivery = WebhookDelivery.objects.create(
        trigger=hook.triggers.get(), execution_id=run(hook, S.SUCCEEDED, 3)
    )
    expired.add(delivery.execution_id)
    # Small batches and step slices, so that several of each are needed.
    settings.EXECUTION_RETENTION_STEP_BATCH = 2

    assert executions_expire(batch=2) == len(expired)

    assert set(Execution.objects.values_list("pk", flat=True)) == kept
    assert set(ExecutionStep.objects.values_list("execution_id", flat=True)) <= kept
    assert ExecutionStep.objects.count() == 4
    assert set(ExecutionLog.objects.values_list("execution_id", flat=True)) == kept
    delivery.refresh_from_db()
    assert delivery.execution_id is None  # the delivery record stays
    assert executions_expire(batch=2) == 0


def test_a_run_stops_after_its_batch_budget_and_the_next_goes_on(settings):
    workflow = WorkflowFactory()
    for _ in range(5):
        run(workflow, S.SUCCEEDED, 40)
    assert executions_expire(batch=2, max_batches=2) == 4
    assert Execution.objects.count() == 1
    settings.EXECUTION_RETENTION_BATCH, settings.EXECUTION_RETENTION_MAX_BATCHES = 2, 10
    expire_executions_task()  # the beat task's body
    assert Execution.objects.count() == 0


def test_beat_runs_retention_from_a_database_row(settings):
    PeriodicTask.objects.filter(name="Execution retention").delete()
    settings.EXECUTION_RETENTION_INTERVAL_SECONDS = 600
    ensure_platform_tasks()
    task = PeriodicTask.objects.get(name="Execution retention")
    assert (task.task, task.queue, task.interval.every) == (
        "housekeeping.expire_executions",
        "housekeeping",
        600,
    )
    task.interval.every = 60  # an operator's tuning survives the next migrate
    task.interval.save()
    ensure_platform_tasks()
    assert PeriodicTask.objects.get(name="Execution retention").interval.every == 60


def test_workspace_admins_set_retention_through_the_api(api, workspace, member_api):
    url = f"/api/v1/workspaces/{workspace.id}/"
    assert api.get(url).json()["keep_succeeded_days"] == 30
    response = api.patch(url, {"keep_succeeded_days": 7}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["keep_succeeded_days"], response.json()["keep_failed_days"]) == (7, 90)
    workspace.refresh_from_db()
    assert workspace.keep_succeeded_days == 7
    event = workspace.audit_events.get(action="workspace.retention_changed")
    assert event.data == {
        "before": {"keep_succeeded_days": 30},
        "after": {"keep_succeeded_days": 7},
    }
    assert api.patch(url, {"keep_failed_days": 0}, format="json").status_code == 400
    assert api.patch(url, {"name": "x"}, format="json").status_code == 400
    editor = member_api("editor")
    assert editor.patch(url, {"keep_failed_days": 5}, format="json").status_code == 403
