"""The claim rules of `execution_run`, run in process against the real database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.workflows.execution import execution_run
from apps.workflows.models import Execution
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory

pytestmark = pytest.mark.django_db


def _execution(**fields):
    workflow = WorkflowFactory()
    return Execution.objects.create(workspace=workflow.workspace, workflow=workflow,
                                    draft_graph=SIMPLE_GRAPH, mode="test",
                                    input={"name": "Ana"}, **fields)


def test_an_execution_whose_workers_keep_dying_is_failed(settings):
    settings.EXECUTION_MAX_DELIVERIES = 3
    execution = _execution(status="running", started_at=timezone.now(), deliveries=3,
                           lease_owner="dead", lease_expires_at=timezone.now() - timedelta(1))
    execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    assert execution.status == "failed" and execution.error["code"] == "too_many_deliveries"
    assert not execution.steps.exists()


def test_a_lost_worker_counts_once_and_the_run_resumes(settings):
    settings.EXECUTION_MAX_DELIVERIES = 3
    execution = _execution(status="running", started_at=timezone.now(), deliveries=1,
                           lease_owner="dead", lease_expires_at=timezone.now() - timedelta(1))
    execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    assert (execution.status, execution.deliveries) == ("succeeded", 2)
    assert execution.output == {"text": "Hello Ana"}


def test_wake_ups_are_not_counted_as_lost_workers(settings):
    settings.EXECUTION_MAX_DELIVERIES = 1
    execution = _execution(status="waiting", started_at=timezone.now(),
                           wake_at=timezone.now() - timedelta(seconds=1))
    execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    assert (execution.status, execution.deliveries) == ("succeeded", 0)


def test_a_live_lease_means_another_worker_has_it():
    execution = _execution(status="running", started_at=timezone.now(), lease_owner="alive",
                           lease_expires_at=timezone.now() + timedelta(minutes=1))
    execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    assert (execution.status, execution.lease_owner) == ("running", "alive")
    assert not execution.steps.exists()
