"""The broker lost and emptied (on a Redis the suite starts itself), and one delivery id sent
five times at once to a real HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from apps.triggers.models import Trigger, WebhookDelivery
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution
from apps.workflows.services import execution_create
from tests.reliability.harness import (
    WORKER_ENV,
    CountingServer,
    all_finished,
    call_graph,
    own_redis,
    published,
    step_counts,
)
from tests.worker import run_django_script, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]

SWEEP = "from apps.workflows.runtime.sweep import execution_sweep; print(execution_sweep())"


def test_redis_restarted_and_emptied_mid_run_loses_no_run(user, workspace):
    server = CountingServer()
    workflow = published(workspace, user, call_graph(server.url, "/call"))
    server.delay = 3.0
    with own_redis() as broker:

        def sweep() -> None:  # beat's sweep, in its own process, on the suite's Redis
            run_django_script(SWEEP, CELERY_BROKER_URL=broker.url)

        worker = start_worker(concurrency=1, env={**WORKER_ENV, "CELERY_BROKER_URL": broker.url})
        try:
            first = [
                execution_create(workflow=workflow, mode="api", input={"n": i}).pk for i in range(3)
            ]
            sweep()
            assert server.hit.wait(30), "no step reached the server"
            broker.kill()  # kill -9 of redis-server mid-step: hints and unacked work gone
            broker.start()  # same port, empty
            assert broker.messages() == 0
            server.delay = 0.0
            deadline = time.monotonic() + 90
            while not all_finished(first):
                assert time.monotonic() < deadline, "runs did not finish after the restart"
                sweep()
                time.sleep(1)
            # The worker reconnected: runs accepted after the restart run too.
            later = [
                execution_create(workflow=workflow, mode="api", input={"n": i}).pk
                for i in range(3, 5)
            ]
            sweep()
            wait_for(lambda: all_finished(later), timeout=60, interval=0.5)

            # Hints waiting in Redis while no worker listens, then Redis emptied: the runs
            # wait in the database until the next sweep sends hints again.
            stop_worker(worker)
            lost = [
                execution_create(workflow=workflow, mode="api", input={"n": i}).pk
                for i in range(5, 7)
            ]
            sweep()
            assert broker.messages() > 0  # the hints are in the broker
            broker.kill()
            broker.start()
            worker = start_worker(
                concurrency=1, env={**WORKER_ENV, "CELERY_BROKER_URL": broker.url}
            )
            time.sleep(3)
            assert Execution.objects.filter(pk__in=lost, status="queued").count() == 2
            sweep()
            wait_for(lambda: all_finished(lost), timeout=60, interval=0.5)
        finally:
            stop_worker(worker, hard=True)
            server.close()

    ids = first + later + lost
    runs = list(Execution.objects.filter(pk__in=ids))
    assert {e.status for e in runs} == {"succeeded"}, [e.error for e in runs]
    for pk in ids:
        assert step_counts(pk)["call"] == 1
    calls = server.keys("/call")
    assert set(calls) == {f"{pk}:call" for pk in ids}
    # The call in flight when Redis died is made once, or again under the same key if its
    # worker's lease ran out while the broker was away; every other call exactly once.
    assert sum(n > 1 for n in calls.values()) <= 1, calls


def test_the_same_delivery_id_five_times_at_once_starts_one_run(live_server, user, workspace):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "github"}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    trigger_secret_rotate(trigger=trigger, secret="five-at-once-secret")
    trigger.refresh_from_db()
    body = json.dumps({"action": "opened", "number": 7}).encode()
    signature = "sha256=" + hmac.new(b"five-at-once-secret", body, hashlib.sha256).hexdigest()
    url = f"{live_server.url}/hooks/{trigger.webhook_token}"
    barrier = threading.Barrier(5)
    answers: list[tuple[int, dict]] = []

    def send() -> None:
        request = urllib.request.Request(  # noqa: S310
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": signature,
                "X-GitHub-Delivery": "d-5-at-once",
                "X-GitHub-Event": "issues",
            },
        )
        barrier.wait(timeout=10)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                answers.append((response.status, json.loads(response.read())))
        except urllib.error.HTTPError as exc:
            answers.append((exc.code, {"body": exc.read()[:500].decode()}))

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)

    assert len(answers) == 5
    assert all(200 <= status < 300 for status, _ in answers), answers
    assert len({answer["execution_id"] for _, answer in answers}) == 1, answers
    assert Execution.objects.filter(workflow=workflow).count() == 1
    assert WebhookDelivery.objects.filter(trigger=trigger).count() == 1
