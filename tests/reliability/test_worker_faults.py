"""Worker faults injected by PID on processes the test starts itself: `kill -9` mid-step with
more runs queued behind, SIGTERM mid-step, and a step whose call kills its worker every time.
Side effects are counted on a local HTTP server by idempotency key."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from apps.workflows.models import Execution
from apps.workflows.runtime.sweep import execution_sweep
from apps.workflows.services import execution_create
from tests.reliability.harness import (
    WORKER_ENV,
    CountingServer,
    all_finished,
    call_graph,
    kill_group,
    published,
    step_counts,
)
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]

STEPS = {"start", "before", "call", "after_1", "after_2"}


@pytest.fixture
def server():
    peer = CountingServer()
    yield peer
    peer.close()


def _sweep_until(predicate, *, timeout: float) -> None:  # type: ignore[no-untyped-def]
    """Run the sweep (as beat would) until `predicate` holds; fail after `timeout`."""

    def step():  # type: ignore[no-untyped-def]
        execution_sweep()
        return predicate()

    wait_for(step, timeout=timeout, interval=0.5)


def test_kill_9_mid_step_with_queued_runs_behind(server, user, workspace):
    workflow = published(workspace, user, call_graph(server.url, "/call"))
    server.delay = 4.0
    runs = [execution_create(workflow=workflow, mode="api", input={"n": i}) for i in range(4)]
    ids = [r.pk for r in runs]

    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        execution_sweep()
        assert server.hit.wait(30), "no step reached the server"
        kill_group(worker.pid)  # kill -9, pool children included, mid-call
        stop_worker(worker, hard=True)
        cut = [pk for pk in ids if Execution.objects.get(pk=pk).status == "running"]
        assert len(cut) == 1 and Execution.objects.filter(pk__in=ids, status="queued").count() == 3
        server.delay = 0.0
        worker = start_worker(concurrency=1, env=WORKER_ENV)
        _sweep_until(lambda: all_finished(ids), timeout=90)
    finally:
        stop_worker(worker, hard=True)

    runs = {e.pk: e for e in Execution.objects.filter(pk__in=ids)}
    assert {e.status for e in runs.values()} == {"succeeded"}, [e.error for e in runs.values()]
    assert runs[cut[0]].deliveries == 1
    assert all(runs[pk].deliveries == 0 for pk in ids if pk != cut[0])
    for pk in ids:
        assert step_counts(pk) == dict.fromkeys(STEPS, 1)  # every step stored once
    calls = server.keys("/call")
    assert set(calls) == {f"{pk}:call" for pk in ids}  # one key per run, no call without one
    assert calls[f"{cut[0]}:call"] == 2  # the cut-off call retried under the same key
    assert all(calls[f"{pk}:call"] == 1 for pk in ids if pk != cut[0])


def test_sigterm_mid_step_warm_shutdown_then_resume(server, user, workspace):
    """SIGTERM while a step calls out, one more run queued: the worker finishes the run it
    holds, claims nothing more and exits; the queued run waits for the next worker."""
    workflow = published(workspace, user, call_graph(server.url, "/call"))
    server.delay = 3.0
    runs = [execution_create(workflow=workflow, mode="api", input={"n": i}) for i in range(2)]
    ids = [r.pk for r in runs]

    worker = start_worker(concurrency=1, env=WORKER_ENV)
    try:
        execution_sweep()
        assert server.hit.wait(30), "no step reached the server"
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)  # warm shutdown of the main process
        worker.wait(timeout=60)
        shutdown_seconds = time.monotonic() - asked
        after_exit = dict(Execution.objects.filter(pk__in=ids).values_list("pk", "status"))
        calls_at_exit = len(server.requests)
        worker = start_worker(concurrency=1, env=WORKER_ENV)
        _sweep_until(lambda: all_finished(ids), timeout=90)
    finally:
        stop_worker(worker, hard=True)

    # The step in flight had under 3 s left; claiming the queued run (another 3 s call)
    # would make it longer. Before the fix the drain went on claiming for its 5 s budget.
    assert shutdown_seconds < 15, shutdown_seconds
    assert sorted(after_exit.values()) == ["queued", "succeeded"], after_exit
    assert calls_at_exit == 1  # the queued run's call was not started by the stopping worker
    runs = list(Execution.objects.filter(pk__in=ids))
    assert {(e.status, e.deliveries) for e in runs} == {("succeeded", 0)}
    for pk in ids:
        assert step_counts(pk) == dict.fromkeys(STEPS, 1)
    assert server.keys("/call") == {f"{pk}:call": 1 for pk in ids}


def test_a_step_that_kills_its_worker_every_time_fails_after_bounded_deliveries(
    server, user, workspace, settings
):
    """The peer behind /die kills the worker process group (by PID) whenever a step calls
    it: the run is redelivered at most EXECUTION_MAX_DELIVERIES times, then fails; a run
    queued behind it succeeds once."""
    cap = 2
    settings.EXECUTION_MAX_DELIVERIES = cap  # the sweep (run here, as beat) decides
    env = {**WORKER_ENV, "EXECUTION_MAX_DELIVERIES": str(cap)}
    deadly = published(workspace, user, call_graph(server.url, "/die"))
    fine = published(workspace, user, call_graph(server.url, "/fine"))
    current: dict[str, int] = {}
    started = threading.Event()  # set once current["pid"] names the worker that is up

    def die(path: str) -> None:
        # A new worker may claim and call before start_worker() returns its pid: wait for it.
        if path == "/die" and started.wait(30):
            kill_group(current["pid"])

    server.on_hit = die

    killer = execution_create(workflow=deadly, mode="api", input={"n": 1})
    other = execution_create(workflow=fine, mode="api", input={"n": 2})
    ids = [killer.pk, other.pk]
    worker = None
    deadline = time.monotonic() + 120
    try:
        while not all_finished(ids):
            assert time.monotonic() < deadline, "runs did not finish in time"
            if worker is None or worker.poll() is not None:
                started.clear()
                if worker is not None:
                    stop_worker(worker, hard=True)
                worker = start_worker(concurrency=1, env=env)
                current["pid"] = worker.pid
                started.set()
            execution_sweep()
            time.sleep(0.5)
    finally:
        if worker is not None:
            stop_worker(worker, hard=True)

    killer = Execution.objects.get(pk=killer.pk)
    assert killer.status == "failed"
    assert killer.error["code"] == "too_many_deliveries", killer.error
    assert server.keys("/die") == {f"{killer.pk}:call": cap + 1}  # bounded, one key
    assert step_counts(killer.pk)["call"] == 1
    other = Execution.objects.get(pk=other.pk)
    assert (other.status, other.deliveries) == ("succeeded", 0), other.error
    assert server.keys("/fine") == {f"{other.pk}:call": 1}
