"""The claim, drain and sweep rules of apps/workflows/runtime, run in process against the
real database (the worker-process behaviour is proven in tests/test_execution_*.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.workflows.models import Execution, Priority
from apps.workflows.runtime.claim import execution_claim, execution_finish
from apps.workflows.runtime.run import execution_drain, execution_run
from apps.workflows.runtime.sweep import execution_sweep
from apps.workflows.services import execution_create, workflow_publish
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from apps.workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def _execution(workspace=None, **fields):
    workflow = WorkflowFactory(**({"workspace": workspace} if workspace else {}))
    return Execution.objects.create(
        workspace=workflow.workspace,
        workflow=workflow,
        draft_graph=SIMPLE_GRAPH,
        mode="test",
        input={"name": "Ana"},
        **fields,
    )


def _dead(**fields):
    return _execution(
        status="running",
        started_at=timezone.now(),
        lease_owner="dead",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        **fields,
    )


def test_a_drain_runs_every_queued_execution_once_in_order():
    runs = [_execution() for _ in range(3)]
    assert execution_drain(linger_s=0) == 3
    assert execution_drain(linger_s=0) == 0  # a duplicate hint finds nothing
    done = Execution.objects.filter(pk__in=[r.pk for r in runs]).order_by("started_at")
    assert [e.pk for e in done] == [r.pk for r in runs]
    assert {(e.status, e.deliveries) for e in done} == {("succeeded", 0)}
    assert all(e.output == {"text": "Hello Ana"} and e.steps.count() == 2 for e in done)


def test_a_claim_is_one_owner_and_a_lost_lease_writes_nothing():
    execution = _execution()
    first = execution_claim(owner="a")
    assert first is not None and first.first_run and first.workflow_name
    assert execution_claim(owner="b") is None  # nothing else is queued
    Execution.objects.filter(pk=execution.pk).update(lease_owner="someone-else")
    assert not execution_finish(claimed=first, status="succeeded", output={"x": 1})
    execution.refresh_from_db()
    assert (execution.status, execution.output) == ("running", None)


def test_the_workspace_cap_skips_a_busy_workspace_without_dropping_its_runs(settings):
    settings.WORKSPACE_MAX_RUNNING = 1
    busy = WorkspaceFactory()
    _execution(
        workspace=busy,
        status="running",
        lease_owner="alive",
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    waiting = _execution(workspace=busy)
    other = _execution()
    claimed = execution_claim(owner="w")
    assert claimed is not None and claimed.execution.pk == other.pk
    assert execution_claim(owner="w2") is None
    waiting.refresh_from_db()
    assert waiting.status == "queued"


def test_an_execution_whose_workers_keep_dying_is_failed(settings):
    settings.EXECUTION_MAX_DELIVERIES = 3
    execution = _dead(deliveries=3)
    assert execution_sweep()["failed"] == 1
    execution.refresh_from_db()
    assert execution.status == "failed" and execution.error["code"] == "too_many_deliveries"
    assert not execution.steps.exists()


def test_a_lost_worker_counts_once_and_the_run_resumes(settings):
    settings.EXECUTION_MAX_DELIVERIES = 3
    execution = _dead(deliveries=1)
    counts = execution_sweep()
    assert (counts["rescued"], counts["queued"]) == (1, 1)
    assert execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    assert (execution.status, execution.deliveries) == ("succeeded", 2)
    assert execution.output == {"text": "Hello Ana"}


def test_wake_ups_are_not_counted_as_lost_workers(settings):
    settings.EXECUTION_MAX_DELIVERIES = 1
    execution = _execution(
        status="waiting", started_at=timezone.now(), wake_at=timezone.now() - timedelta(seconds=1)
    )
    not_due = _execution(status="waiting", wake_at=timezone.now() + timedelta(minutes=5))
    assert execution_sweep()["woken"] == 1
    assert execution_drain(linger_s=0) == 1
    execution.refresh_from_db()
    not_due.refresh_from_db()
    assert (execution.status, execution.deliveries) == ("succeeded", 0)
    assert not_due.status == "waiting"


def test_a_live_lease_means_another_worker_has_it():
    execution = _execution(
        status="running",
        started_at=timezone.now(),
        lease_owner="alive",
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    assert execution_sweep()["rescued"] == 0
    assert not execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    assert (execution.status, execution.lease_owner) == ("running", "alive")
    assert not execution.steps.exists()


def test_a_high_priority_run_is_claimed_before_an_older_backlog():
    backlog = [_execution() for _ in range(3)]
    urgent = _execution(priority=Priority.HIGH)
    low = _execution(priority=Priority.LOW)
    order = [execution_claim(owner=f"w{i}").execution.pk for i in range(5)]
    assert order == [urgent.pk, *[e.pk for e in backlog], low.pk]


FAILING_GRAPH = {
    "nodes": [
        {"id": "start", "type": "manual_trigger", "data": {"config": {}}},
        {"id": "stop", "type": "stop_and_fail", "data": {"config": {"message": "no"}}},
    ],
    "edges": [{"id": "e", "source": "start", "target": "stop"}],
}


def test_a_failed_run_is_retried_by_the_workflow_policy_with_back_off(user):
    workflow = WorkflowFactory(graph=FAILING_GRAPH, retry_attempts=2, retry_delay_seconds=30)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    first = execution_create(workflow=workflow, mode="api", input={"x": 1})
    assert execution_run(execution_id=first.pk)

    delays = []
    runs = [first]
    for _ in range(2):
        retry = Execution.objects.get(parent=runs[-1], mode="retry")
        assert (retry.status, retry.attempt, retry.input) == (
            "waiting",
            runs[-1].attempt + 1,
            {"x": 1},
        )
        delays.append(round((retry.wake_at - timezone.now()).total_seconds()))
        Execution.objects.filter(pk=retry.pk).update(wake_at=timezone.now())  # time passes
        assert execution_sweep()["woken"] == 1
        assert execution_drain(linger_s=0) == 1
        retry.refresh_from_db()
        runs.append(retry)

    first.refresh_from_db()
    assert [r.status for r in runs] == ["failed"] * 3
    assert 28 <= delays[0] <= 30 and 58 <= delays[1] <= 60  # 30 s, then twice that
    assert not Execution.objects.filter(parent=runs[-1]).exists()  # attempts used up
