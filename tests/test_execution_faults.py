"""Faults with real workers: a worker killed mid-run, and one workspace's burst of slow runs
next to another workspace's quick one."""

import itertools
import threading
import time

import pytest

from apps.connectors.outbound.testing import CountingServer
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.sweep import execution_sweep
from apps.workflows.services import execution_create, workflow_publish
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.tests.factories import WorkspaceFactory
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = pytest.mark.usefixtures("own_workers")

WORKER_ENV = {"OUTBOUND_ALLOWLIST": "127.0.0.1", "EXECUTION_LEASE_SECONDS": "2"}


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1; `delay` makes /slow (and every path) slow."""
    counting = CountingServer()
    yield counting
    counting.close()


def node(id_, type_, **config):
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def twenty_steps(url: str) -> dict:
    """start -> t1..t9 -> slow HTTP call -> t11..t19: twenty steps, each using the last."""
    nodes = [node("start", "manual_trigger")]
    for i in range(1, 20):
        if i == 10:
            nodes.append(
                node("t10", "http_request", url=f"{url}/slow", idempotency_header="Idempotency-Key")
            )
        else:
            previous = (
                "trigger.seed"
                if i == 1
                else ("nodes.t10.output.body.items[-1]" if i == 11 else f"nodes.t{i - 1}.output.n")
            )
            nodes.append(
                node(f"t{i}", "transform", mapping={"n": f"{{{{ {previous} }}}}", "step": i})
            )
    ids = [n["id"] for n in nodes]
    return {
        "nodes": nodes,
        "edges": [
            {"id": f"e{a}-{b}", "source": a, "target": b} for a, b in itertools.pairwise(ids)
        ],
    }


def finished(execution_id):
    return lambda: Execution.objects.filter(pk=execution_id, status__in=Execution.FINISHED).first()


def test_kill_9_mid_run_finishes_on_a_new_worker_with_every_step_once(server, user, workspace):
    workflow = WorkflowFactory(workspace=workspace, graph=twenty_steps(server.url))
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()

    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        reference = execution_create(workflow=workflow, mode="api", input={"seed": 1})
        reference = wait_for(finished(reference.pk))
        assert reference.status == "succeeded", reference.error

        server.delay, server.hit, server.requests = 5.0, threading.Event(), []
        execution = execution_create(workflow=workflow, mode="api", input={"seed": 1})
        assert server.hit.wait(30), "the slow step never started"
        before = {
            s.node_id: s.finished_at
            for s in ExecutionStep.objects.filter(execution=execution, status="succeeded")
        }
        stop_worker(worker, hard=True)  # kill -9 the whole worker, children included
    finally:
        stop_worker(worker, hard=True)
    assert sorted(before) == sorted(["start"] + [f"t{i}" for i in range(1, 10)])
    assert Execution.objects.get(pk=execution.pk).status == "running"

    server.delay = 0.0
    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        # The dead worker's lease runs out; the sweep hands the execution to the new worker.
        wait_for(lambda: execution_sweep()["rescued"] or None, timeout=30, interval=0.5)
        done = wait_for(finished(execution.pk), timeout=60)
    finally:
        stop_worker(worker)

    assert done.status == "succeeded", done.error
    assert done.output == reference.output
    steps = ExecutionStep.objects.filter(execution=done)
    assert sorted(s.node_id for s in steps) == sorted(
        ["start"] + [f"t{i}" for i in range(1, 20)]
    )  # each exactly once
    after = {s.node_id: s.finished_at for s in steps}
    assert all(after[node_id] == stamp for node_id, stamp in before.items())  # not re-run
    slow = steps.get(node_id="t10")
    assert slow.meta["lost"] == 1
    keys = {key for path, key in server.requests if path == "/slow"}
    assert keys == {f"{done.pk}:t10"}  # the retried call carried the same idempotency key


def test_a_quick_run_finishes_while_another_workspace_bursts(server, user, workspace, settings):
    slow_graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("call", "http_request", url=f"{server.url}/slow"),
        ],
        "edges": [{"id": "e", "source": "start", "target": "call"}],
    }
    slow = WorkflowFactory(workspace=workspace, graph=slow_graph)
    workflow_publish(workflow=slow, published_by=user)
    slow.refresh_from_db()
    quick = WorkflowFactory(workspace=WorkspaceFactory())
    workflow_publish(workflow=quick, published_by=user)
    quick.refresh_from_db()
    server.delay = 2.0

    worker = start_worker(concurrency=2, env={**WORKER_ENV, "WORKSPACE_MAX_RUNNING": "1"})
    try:
        burst = [execution_create(workflow=slow, mode="api", input={}) for _ in range(6)]
        assert server.hit.wait(30)
        quick_run = execution_create(workflow=quick, mode="api", input={"name": "B"})
        asked = time.monotonic()
        quick_run = wait_for(finished(quick_run.pk), timeout=30)
        quick_latency = time.monotonic() - asked
        burst_left = sum(not Execution.objects.get(pk=e.pk).is_finished for e in burst)
        for execution in burst:
            assert wait_for(finished(execution.pk), timeout=60).status == "succeeded"
    finally:
        stop_worker(worker)

    assert quick_run.status == "succeeded"
    assert burst_left >= 3  # the quick run did not queue behind the burst
    assert quick_latency < 6, quick_latency


def test_a_backlog_drains_across_worker_processes_with_each_run_once(server, user, workspace):
    """Runs queued before any worker exists are claimed by two worker processes from the
    database: every run ends once, its outbound call made once (counted by idempotency key
    on the server), and no run was handed out twice."""
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node(
                "call",
                "http_request",
                url=f"{server.url}/count",
                idempotency_header="Idempotency-Key",
            ),
            node("after", "transform", mapping={"n": "{{ trigger.n }}"}),
        ],
        "edges": [
            {"id": "a", "source": "start", "target": "call"},
            {"id": "b", "source": "call", "target": "after"},
        ],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    backlog = [execution_create(workflow=workflow, mode="api", input={"n": i}) for i in range(120)]

    worker = start_worker(concurrency=2, env={**WORKER_ENV, "WORKSPACE_MAX_RUNNING": "0"})
    try:
        execution_sweep()  # the hints of the accepting process went to no worker yet
        wait_for(
            lambda: (
                not Execution.objects.filter(pk__in=[e.pk for e in backlog])
                .exclude(status__in=Execution.FINISHED)
                .exists()
            ),
            timeout=90,
            interval=0.5,
        )
    finally:
        stop_worker(worker)

    runs = Execution.objects.filter(pk__in=[e.pk for e in backlog])
    assert {(e.status, e.deliveries) for e in runs} == {("succeeded", 0)}
    assert sorted(e.output["n"] for e in runs) == list(range(120))
    assert ExecutionStep.objects.filter(execution__in=runs).count() == 3 * 120
    keys = [key for path, key in server.requests if path == "/count"]
    assert sorted(keys) == sorted(f"{e.pk}:call" for e in backlog)  # each call exactly once


def test_a_high_priority_run_overtakes_a_backlog_on_a_worker(server, user, workspace):
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("call", "http_request", url=f"{server.url}/slow"),
        ],
        "edges": [{"id": "a", "source": "start", "target": "call"}],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    server.delay = 0.1
    backlog = [execution_create(workflow=workflow, mode="api", input={}) for _ in range(40)]

    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        assert server.hit.wait(30)
        urgent = execution_create(workflow=workflow, mode="api", input={}, priority=2)
        urgent = wait_for(finished(urgent.pk), timeout=30)
        behind = (
            Execution.objects.filter(pk__in=[e.pk for e in backlog])
            .exclude(status__in=Execution.FINISHED)
            .count()
        )
        for execution in backlog:
            wait_for(finished(execution.pk), timeout=60)
    finally:
        stop_worker(worker)
    assert urgent.status == "succeeded"
    assert behind >= 30  # it ran next, not after the backlog


def test_a_failed_run_is_retried_by_the_workflow_on_a_worker(user, workspace):
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("stop", "stop_and_fail", message="upstream said no"),
        ],
        "edges": [{"id": "a", "source": "start", "target": "stop"}],
    }
    workflow = WorkflowFactory(
        workspace=workspace, graph=graph, retry_attempts=1, retry_delay_seconds=1
    )
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()

    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        first = execution_create(workflow=workflow, mode="api", input={"k": "v"})
        retry = wait_for(
            lambda: Execution.objects.filter(
                parent=first, mode="retry", status__in=Execution.FINISHED
            ).first(),
            timeout=30,
        )
    finally:
        stop_worker(worker)
    first.refresh_from_db()
    assert (first.status, retry.status, retry.attempt, retry.input) == (
        "failed",
        "failed",
        2,
        {"k": "v"},
    )
    assert (retry.started_at - first.finished_at).total_seconds() >= 1  # the back-off held
    assert not Execution.objects.filter(parent=retry).exists()  # one retry, as configured
