"""A flood over quota, sent to a live HTTP server, with real workers behind it: webhooks
above their trigger's rate limit, API runs above the token's and the workspace's rates, and
more runs accepted than the workspace may run at once. Rejected requests get 429 with
Retry-After; every accepted one runs, once; nothing is lost."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from apps.triggers.models import Trigger
from apps.workflows.models import Execution
from apps.workflows.runtime.sweep import execution_sweep
from apps.workspaces.models import Role
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import MembershipFactory
from tests.reliability.harness import (
    WORKER_ENV,
    CountingServer,
    all_finished,
    call_graph,
    node,
    published,
)
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]

WINDOW_S = 3600  # one window for the whole flood (a flood crossing the hour is allowed for)


@pytest.fixture
def server():
    peer = CountingServer()
    yield peer
    peer.close()


def _flood(
    url: str, bodies: list[bytes], headers: dict[str, str], *, senders: int = 6
) -> list[tuple[int, dict, str | None]]:
    """Send the bodies from `senders` threads started together (more connections at once
    than that overflow the test server's listen backlog: resets, not answers); (status,
    JSON answer, Retry-After) for each."""
    barrier = threading.Barrier(senders)
    answers: list[tuple[int, dict, str | None]] = []

    def send(share: list[bytes]) -> None:
        barrier.wait(timeout=30)
        for body in share:
            request = urllib.request.Request(  # noqa: S310
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", **headers},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    answers.append((response.status, json.loads(response.read()), None))
            except urllib.error.HTTPError as exc:
                answers.append(
                    (exc.code, json.loads(exc.read() or b"{}"), exc.headers.get("Retry-After"))
                )

    threads = [threading.Thread(target=send, args=(bodies[i::senders],)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(answers) == len(bodies)
    return answers


def _check_quota(answers: list, limit: int, windows: int) -> list:  # type: ignore[no-untyped-def]
    """The accepted ones are within the limit (of each window touched), the others 429
    with a Retry-After within the window; the accepted execution ids."""
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {202, 429}, answers
    accepted = statuses[202]
    assert accepted == limit if windows == 1 else limit <= accepted <= limit * windows, statuses
    for status, body, retry_after in answers:
        if status == 429:
            assert body["type"] in {"rate_limited", "throttled"}, body
            assert retry_after is not None and 1 <= int(retry_after) <= WINDOW_S, retry_after
    return [
        body["execution_id"] if "execution_id" in body else body["id"]
        for status, body, _ in answers
        if status == 202
    ]


def _window() -> int:
    return int(time.time() // WINDOW_S)


def test_webhooks_over_the_trigger_limit_and_the_running_cap(live_server, server, user, workspace):
    limit, sent, cap = 8, 30, 1
    graph = call_graph(server.url, "/hook")
    graph["nodes"][0] = node(
        "start", "webhook_trigger", rate_limit={"limit": limit, "per_s": WINDOW_S}
    )
    workflow = published(workspace, user, graph)
    token = Trigger.objects.get(workflow=workflow).webhook_token
    server.delay = 0.3  # runs overlap unless the running cap holds them back
    env = {**WORKER_ENV, "WORKSPACE_MAX_RUNNING": str(cap)}
    workers = [start_worker(concurrency=2, env=env) for _ in range(2)]  # 4 runs could overlap
    try:
        first = _window()
        answers = _flood(
            f"{live_server.url}/hooks/{token}",
            [json.dumps({"n": i}).encode() for i in range(sent)],
            {},
        )
        ids = _check_quota(answers, limit, _window() - first + 1)
        execution_sweep()
        wait_for(lambda: all_finished(ids), timeout=90, interval=0.3)
    finally:
        for worker in workers:
            stop_worker(worker, hard=True)

    assert Execution.objects.filter(workflow=workflow).count() == len(ids)  # one per 202
    runs = list(Execution.objects.filter(pk__in=ids))
    assert {e.status for e in runs} == {"succeeded"}, [e.error for e in runs]
    assert server.keys("/hook") == {f"{pk}:call": 1 for pk in ids}  # each ran once
    assert server.max_in_flight == cap  # the workspace's running cap held across processes


def test_api_runs_over_the_token_and_workspace_rates(
    live_server, server, user, workspace, settings
):
    """One token floods past its rate; then a second member's token, within its own rate,
    passes the workspace's."""
    per_token, per_workspace, sent = 5, 8, 20
    settings.API_RATE_PER_TOKEN = f"{per_token}/hour"
    settings.API_RATE_PER_WORKSPACE = f"{per_workspace}/hour"
    workflow = published(workspace, user, call_graph(server.url, "/api"))
    _, first_token = api_token_create(user=user, name="flood")
    member = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    _, second_token = api_token_create(user=member, name="flood")
    url = f"{live_server.url}/api/v1/workflows/{workflow.pk}/run/"
    worker = start_worker(concurrency=2, env=WORKER_ENV)
    try:
        first = _window()
        by_token = _flood(
            url,
            [json.dumps({"input": {"n": i}}).encode() for i in range(sent)],
            {"Authorization": f"Bearer {first_token}"},
        )
        by_workspace = _flood(
            url,
            [json.dumps({"input": {"n": i}}).encode() for i in range(per_token)],
            {"Authorization": f"Bearer {second_token}"},
        )
        windows = _window() - first + 1
        ids = _check_quota(by_token, per_token, windows)
        # The second token stays within its own rate: what it loses is the workspace's.
        ids += _check_quota(by_workspace, per_workspace - per_token, windows)
        assert all(
            body["detail"].startswith("Too many requests for this workspace.")
            for status, body, _ in by_workspace
            if status == 429
        ), by_workspace
        execution_sweep()
        wait_for(lambda: all_finished(ids), timeout=90, interval=0.3)
    finally:
        stop_worker(worker, hard=True)

    assert Execution.objects.filter(workflow=workflow).count() == len(ids) == per_workspace
    runs = list(Execution.objects.filter(pk__in=ids))
    assert {e.status for e in runs} == {"succeeded"}, [e.error for e in runs]
    assert server.keys("/api") == {f"{pk}:call": 1 for pk in ids}
