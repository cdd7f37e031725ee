"""Celery pool children recycled after every task (`--max-tasks-per-child 1`, as the routing
worker runs under `make run`): the worker's own /metrics merges their files away and keeps
their counts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apps.observability.tests.processes import file_pids, sample, scrape, worker_pids
from apps.workflows.models import Execution
from apps.workflows.services import workflow_publish
from apps.workflows.tests.factories import WorkflowFactory
from tests.test_triggers_e2e import free_port
from tests.worker import ROOT, stop_worker, wait_for, worker_env

pytestmark = pytest.mark.usefixtures("own_workers")

RUNS = 5
TRANSFORMS = {"block_type": "transform", "status": "succeeded"}


def _node(id_: str, type_: str, **config: object) -> dict:
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def test_recycled_pool_childrens_files_are_merged_and_counted(api, user, workspace, tmp_path):
    graph = {
        "nodes": [
            _node("start", "manual_trigger"),
            _node("shape", "transform", mapping={"ok": "yes"}),
        ],
        "edges": [{"id": "a", "source": "start", "target": "shape"}],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    workflow_publish(workflow=workflow, published_by=user)
    port = free_port()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "executions",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--max-tasks-per-child",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={
            **worker_env(),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
            "WORKER_METRICS_PORT": str(port),
            "EXECUTION_DRAIN_LINGER_SECONDS": "0",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    try:

        def serving() -> bool:
            assert worker.poll() is None, "the worker exited"
            try:
                scrape(address)
            except OSError:
                return False
            return True

        wait_for(serving, timeout=60)
        # The metrics port is up before the pool forks its child.
        children: set[int] = set(wait_for(lambda: worker_pids(worker.pid)))
        for _ in range(RUNS):  # one at a time, each in a pool child of its own
            response = api.post(
                f"/api/v1/workflows/{workflow.id}/run/", {"input": {}}, format="json"
            )
            assert response.status_code == 202, response.json()
            run_id = response.json()["id"]
            wait_for(
                lambda pk=run_id: Execution.objects.filter(pk=pk, status="succeeded").exists(),
                timeout=60,
            )
            # The child that ran it exits after its one task; the next run waits for its successor.
            known = frozenset(children)
            wait_for(lambda known=known: set(worker_pids(worker.pid)) - known)
            children |= set(worker_pids(worker.pid))
        assert len(children) > RUNS

        # Children are reaped by the worker a moment after they exit: scrape until none is left.
        def merged() -> dict | None:
            samples = scrape(address)
            gone = children - set(worker_pids(worker.pid))
            return None if gone & file_pids(tmp_path) else samples

        samples = wait_for(merged)
        assert sample(samples, "block_executions_total", **TRANSFORMS) == RUNS
        assert sample(samples, "block_execution_duration_seconds_count", **TRANSFORMS) == RUNS
        assert (tmp_path / "counter_archive.db").exists()
        # Only the live processes (the worker, its current child) may have files of their own.
        assert file_pids(tmp_path) <= {worker.pid, *worker_pids(worker.pid)}
        assert sample(scrape(address), "block_executions_total", **TRANSFORMS) == RUNS
    finally:
        stop_worker(worker)
