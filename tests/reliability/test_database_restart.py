"""PostgreSQL restarted mid-run, on a cluster the suite starts itself: a web process, a worker
and the sweep all pointed at it (and at a Redis of the suite's own). Webhooks answer 503
while it is down, never 2xx without the row; the runs accepted before and after finish."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.reliability.harness import (
    WORKER_ENV,
    CountingServer,
    free_port,
    node,
    own_postgres,
    own_redis,
)
from tests.worker import ROOT, run_django_script, start_worker, stop_worker, worker_env

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(240)]

SETUP = """
import json, os
from apps.triggers.models import Trigger
from apps.workflows.services import workflow_create, workflow_publish
from apps.workspaces.models import Role
from apps.workspaces.tests.factories import MembershipFactory
member = MembershipFactory(role=Role.OWNER)
workflow = workflow_create(workspace=member.workspace, name="pg restart",
                           graph=json.loads(os.environ["GRAPH"]), created_by=member.user)
workflow_publish(workflow=workflow, published_by=member.user)
print(json.dumps({"token": Trigger.objects.get(workflow=workflow).webhook_token}))
"""
SWEEP = "from apps.workflows.runtime.sweep import execution_sweep; print(execution_sweep())"
RUNS = """
import json
from apps.workflows.models import Execution
print(json.dumps([[str(e.pk), e.status, e.deliveries, (e.error or {}).get("code")]
                  for e in Execution.objects.all()]))
"""


def _graph(url: str) -> dict:
    nodes = [
        node("start", "webhook_trigger", verification={"preset": "none"}),
        node(
            "call",
            "http_request",
            url=f"{url}/call",
            method="POST",
            idempotency_header="Idempotency-Key",
        ),
        node("out", "set_output", values={"n": "{{ trigger.body.n }}"}),
    ]
    return {
        "nodes": nodes,
        "edges": [
            {"id": "a", "source": "start", "target": "call"},
            {"id": "b", "source": "call", "target": "out"},
        ],
    }


def _post(url: str, n: int) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps({"n": n}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {
            "retry_after": exc.headers.get("Retry-After"),
            "body": exc.read()[:300].decode(errors="replace"),
        }
    except OSError as exc:  # refused or reset: also "not accepted"
        return 0, {"error": repr(exc)}


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the web process exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the web process did not listen in time")


def test_postgres_restarted_mid_run(tmp_path):
    server = CountingServer()
    server.delay = 3.0
    with own_postgres() as pg, own_redis() as broker:
        env = {"DATABASE_URL": pg.url, "CELERY_BROKER_URL": broker.url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**worker_env(), **env},
            check=True,
            timeout=180,
        )
        token = json.loads(run_django_script(SETUP, GRAPH=json.dumps(_graph(server.url)), **env))[
            "token"
        ]
        port = free_port()
        with (tmp_path / "web.log").open("w") as log:
            web = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env={**worker_env(), **env, **WORKER_ENV},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = None
        try:
            _wait_port(port, web)
            worker = start_worker(concurrency=1, env={**WORKER_ENV, **env})
            hook = f"http://127.0.0.1:{port}/hooks/{token}"

            before = _post(hook, 1)
            assert before[0] == 202, before
            assert server.hit.wait(30), "the run never reached its call"
            pg.stop("immediate")  # the database dies mid-step
            down = [_post(hook, 2), _post(hook, 3)]
            pg.start()
            server.delay = 0.0
            after = _post(hook, 4)
            for _ in range(5):  # a sender retries a 503 later
                if after[0] != 503:
                    break
                time.sleep(1)
                after = _post(hook, 4)

            deadline = time.monotonic() + 120
            while True:
                runs = json.loads(run_django_script(RUNS, **env))
                if all(status in ("succeeded", "failed", "canceled") for _, status, _, _ in runs):
                    break
                assert time.monotonic() < deadline, runs
                run_django_script(SWEEP, **env)
                time.sleep(1)
        finally:
            if worker is not None:
                stop_worker(worker, hard=True)
            os.killpg(web.pid, 9)
            web.wait(timeout=10)
            server.close()

    assert [status for status, _ in down] == [503, 503], down
    assert all(answer["retry_after"] for _, answer in down), down
    assert after[0] == 202, after
    accepted = {before[1]["execution_id"], after[1]["execution_id"]}
    assert {pk for pk, *_ in runs} == accepted  # a row for each 2xx, none for a 503
    assert {status for _, status, _, _ in runs} == {"succeeded"}, runs
    calls = server.keys("/call")
    assert set(calls) == {f"{pk}:call" for pk in accepted}
    assert all(n <= 2 for n in calls.values()), calls  # a cut-off call again, same key
    print("runs", runs, "calls", dict(calls))  # shown with -rP: what the restart cost
