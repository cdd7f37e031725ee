"""The engine issue's example, built and run through the API on a real worker:

manual trigger -> HTTP request -> condition (status == 200)
  true:  loop over `items` with a transform per item, in parallel with a second branch
         -> merge -> set output
  false: a delay of 2 minutes, then the request again (the retry branch) -> set output
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.sweep import execution_sweep
from apps.workspaces.services import api_token_create
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


@pytest.fixture
def items_api():
    """A real HTTP server: /items answers `state["status"]` with three items."""
    state = {"status": 200, "calls": 0}

    def items(recorded: Recorded) -> Reply:
        state["calls"] += 1
        body = json.dumps({"items": ["a", "b", "c"]}).encode()
        return Reply(state["status"], {"Content-Type": "application/json"}, body)

    with LocalServer().route("/items", items) as server:
        state["url"] = server.url("/items")
        yield state


def node(id_, type_, parent=None, **config):
    n = {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}
    return {**n, "parentId": parent} if parent else n


def edge(source, target, handle=None):
    e = {"id": f"{source}-{target}", "source": source, "target": target}
    return {**e, "sourceHandle": handle} if handle else e


def example_graph(url: str) -> dict:
    return {
        "nodes": [
            node("start", "manual_trigger"),
            node("fetch", "http_request", url=url, fail_on_status=False),
            node("check", "condition", expression="{{ nodes.fetch.output.status == `200` }}"),
            node("each", "loop", items="{{ nodes.fetch.output.body.items }}", max_concurrency=3),
            node(
                "shout",
                "transform",
                parent="each",
                mapping={"value": "{{ item }}", "position": "{{ index }}"},
            ),
            node(
                "count", "transform", mapping={"n": "{{ length(nodes.fetch.output.body.items) }}"}
            ),
            node("join", "merge", mode="all"),
            node(
                "done",
                "set_output",
                values={
                    "results": "{{ nodes.each.output.results }}",
                    "count": "{{ nodes.count.output.n }}",
                },
            ),
            node("pause", "delay", seconds=120),
            node("again", "http_request", url=url),
            node(
                "retried",
                "set_output",
                values={"retried_status": "{{ nodes.again.output.status }}"},
            ),
        ],
        "edges": [
            edge("start", "fetch"),
            edge("fetch", "check"),
            edge("check", "each", "true"),
            edge("check", "count", "true"),
            edge("each", "join", "done"),
            edge("count", "join"),
            edge("join", "done"),
            edge("check", "pause", "false"),
            edge("pause", "again"),
            edge("again", "retried"),
        ],
    }


@pytest.fixture
def client_for(user):
    _, token = api_token_create(user=user, name="example")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _publish_example(client, workspace, url):
    created = client.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.id), "name": "Example", "graph": example_graph(url)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    workflow_id = created.json()["id"]
    assert client.post(f"/api/v1/workflows/{workflow_id}/publish/").status_code == 201
    return workflow_id


def _finished(execution_id):
    return lambda: Execution.objects.filter(pk=execution_id, status__in=Execution.FINISHED).first()


def test_true_branch_loops_in_parallel_with_a_second_branch_and_merges(
    client_for, workspace, items_api
):
    workflow_id = _publish_example(client_for, workspace, items_api["url"])
    run = client_for.post(f"/api/v1/workflows/{workflow_id}/run/", {"input": {}}, format="json")
    assert run.status_code == 202
    execution_id = run.json()["id"]
    wait_for(_finished(execution_id))

    execution = client_for.get(f"/api/v1/executions/{execution_id}/").json()
    assert execution["status"] == "succeeded", execution["error"]
    assert execution["output"] == {
        "count": 3,
        "results": [
            {"value": "a", "position": 0},
            {"value": "b", "position": 1},
            {"value": "c", "position": 2},
        ],
    }
    steps = {
        s["key"]: s
        for s in client_for.get(f"/api/v1/executions/{execution_id}/steps/").json()["results"]
    }
    assert {k: steps[k]["status"] for k in ("pause", "again", "retried")} == {
        "pause": "skipped",
        "again": "skipped",
        "retried": "skipped",
    }
    assert [steps[f"shout[{i}]"]["status"] for i in range(3)] == ["succeeded"] * 3
    assert all(
        s["attempts"] >= 1 and s["started_at"] for s in steps.values() if s["status"] == "succeeded"
    )


def test_false_branch_parks_for_two_minutes_then_retries(client_for, workspace, items_api):
    workflow_id = _publish_example(client_for, workspace, items_api["url"])
    items_api["status"] = 503
    execution_id = client_for.post(
        f"/api/v1/workflows/{workflow_id}/run/", {"input": {}}, format="json"
    ).json()["id"]
    parked = wait_for(lambda: Execution.objects.filter(pk=execution_id, status="waiting").first())
    assert timedelta(seconds=100) < parked.wake_at - timezone.now() <= timedelta(seconds=120)

    # Two minutes pass: the wake-up times recorded on the execution (read by the sweep) and on
    # the parked step (read by the engine) come due. Meanwhile the API recovers.
    items_api["status"], items_api["calls"] = 200, 0
    now = timezone.now()
    Execution.objects.filter(pk=execution_id).update(wake_at=now)
    pause = ExecutionStep.objects.get(execution_id=execution_id, node_id="pause")
    pause.meta["park"]["until"] = now.isoformat()
    pause.save(update_fields=["meta"])
    assert execution_sweep()["woken"] == 1
    execution = wait_for(_finished(execution_id))
    assert execution.status == "succeeded", execution.error
    assert execution.output == {"retried_status": 200}
    assert items_api["calls"] == 1  # only the retry branch's request, after the wake-up
