"""Executions on a real Celery worker, against the configured database and broker."""

import copy

import pytest
from rest_framework.test import APIClient

from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.sweep import execution_sweep
from apps.workflows.services import workflow_publish
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.services import api_token_create
from tests.worker import run_django_script, wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


def node(id_, type_, **config):
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def edge(source, target, handle=None):
    e = {"id": f"{source}-{target}-{handle}", "source": source, "target": target}
    if handle:
        e["sourceHandle"] = handle
    return e


BRANCHY = {
    "nodes": [
        node("start", "manual_trigger"),
        node("check", "condition", expression="{{ trigger.count > `2` }}"),
        node("big", "transform", mapping={"size": "big", "n": "{{ trigger.count }}"}),
        node("small", "transform", mapping={"size": "small"}),
        node("items", "transform", mapping={"list": "{{ trigger.items }}"}),
        node("each", "loop", items="{{ nodes.items.output.list }}"),
        {
            **node("double", "transform", mapping={"v": "{{ item }}", "i": "{{ index }}"}),
            "parentId": "each",
        },
        node("done", "merge"),
    ],
    "edges": [
        edge("start", "check"),
        edge("check", "big", "true"),
        edge("check", "small", "false"),
        edge("start", "items"),
        edge("items", "each"),
        edge("big", "done"),
        edge("small", "done"),
        edge("each", "done", "done"),
    ],
}


@pytest.fixture
def owner_api(user, workspace):
    _, token = api_token_create(user=user, name="worker-tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def finished(execution_id):
    def check():
        execution = Execution.objects.get(pk=execution_id)
        return execution if execution.is_finished else None

    return check


def test_published_workflow_runs_on_the_worker(owner_api, workspace, user):
    workflow = WorkflowFactory(workspace=workspace, graph=copy.deepcopy(BRANCHY))
    workflow_publish(workflow=workflow, published_by=user)
    response = owner_api.post(
        f"/api/v1/workflows/{workflow.id}/run/",
        {"input": {"count": 5, "items": ["a", "b", "c"]}},
        format="json",
    )
    assert response.status_code == 202, response.json()
    execution = wait_for(finished(response.json()["id"]))
    assert execution.status == "succeeded", execution.error
    steps = {s.node_id + s.item_key: s for s in ExecutionStep.objects.filter(execution=execution)}
    assert steps["big"].status == "succeeded" and steps["big"].output == {"size": "big", "n": 5}
    assert steps["small"].status == "skipped"
    assert [steps[f"double[{i}]"].output for i in range(3)] == [
        {"v": "a", "i": 0},
        {"v": "b", "i": 1},
        {"v": "c", "i": 2},
    ]
    assert all(s.attempts >= 1 for s in steps.values() if s.status == "succeeded")

    detail = owner_api.get(f"/api/v1/executions/{execution.id}/steps/").json()["results"]
    assert {s["key"] for s in detail} == set(steps)


def test_draft_test_run_and_delay_parks_without_holding_a_worker(owner_api, workspace):
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("pause", "delay", seconds=1),
            node("after", "transform", mapping={"ok": True}),
        ],
        "edges": [edge("start", "pause"), edge("pause", "after")],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    response = owner_api.post(
        f"/api/v1/workflows/{workflow.id}/run/", {"draft": True}, format="json"
    )
    assert response.status_code == 202
    execution_id = response.json()["id"]
    wait_for(lambda: Execution.objects.filter(pk=execution_id, status="waiting").exists())
    execution = wait_for(finished(execution_id))
    assert execution.status == "succeeded" and execution.mode == "test"
    assert execution.output == {"ok": True}


def test_wait_for_approval_resumes_through_the_signed_url(owner_api, workspace):
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("approve", "wait", mode="resume"),
            node("after", "transform", mapping={"by": "{{ nodes.approve.output.payload.by }}"}),
        ],
        "edges": [edge("start", "approve"), edge("approve", "after")],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    execution_id = owner_api.post(
        f"/api/v1/workflows/{workflow.id}/run/", {"draft": True}, format="json"
    ).json()["id"]
    wait_for(lambda: Execution.objects.filter(pk=execution_id, status="waiting").exists())
    steps = owner_api.get(f"/api/v1/executions/{execution_id}/steps/").json()["results"]
    resume_url = next(s["resume_url"] for s in steps if s["key"] == "approve")
    assert resume_url

    anonymous = APIClient()
    assert (
        anonymous.post(
            resume_url.replace("approve", "x") + "tampered", {}, format="json"
        ).status_code
        == 404
    )
    response = anonymous.post(resume_url, {"by": "ana"}, format="json")
    assert response.status_code == 202
    execution = wait_for(finished(execution_id))
    assert execution.status == "succeeded" and execution.output == {"by": "ana"}
    assert anonymous.post(resume_url, {}, format="json").status_code == 409


def test_cancel_a_waiting_execution(owner_api, workspace):
    graph = {
        "nodes": [node("start", "manual_trigger"), node("approve", "wait")],
        "edges": [edge("start", "approve")],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    execution_id = owner_api.post(
        f"/api/v1/workflows/{workflow.id}/run/", {"draft": True}, format="json"
    ).json()["id"]
    wait_for(lambda: Execution.objects.filter(pk=execution_id, status="waiting").exists())
    response = owner_api.post(f"/api/v1/executions/{execution_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_rerun_from_a_node_reuses_upstream_outputs(owner_api, workspace, user):
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("first", "transform", mapping={"x": "{{ trigger.x }}"}),
            node("second", "transform", mapping={"y": "{{ nodes.first.output.x }}"}),
        ],
        "edges": [edge("start", "first"), edge("first", "second")],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    workflow_publish(workflow=workflow, published_by=user)
    original_id = owner_api.post(
        f"/api/v1/workflows/{workflow.id}/run/", {"input": {"x": 7}}, format="json"
    ).json()["id"]
    wait_for(finished(original_id))
    first_before = ExecutionStep.objects.get(execution_id=original_id, node_id="first")

    response = owner_api.post(
        f"/api/v1/executions/{original_id}/rerun/", {"from_node": "second"}, format="json"
    )
    assert response.status_code == 202
    rerun = wait_for(finished(response.json()["id"]))
    assert rerun.status == "succeeded" and rerun.output == {"y": 7}
    assert rerun.parent_id == first_before.execution_id
    assert (
        owner_api.post(
            f"/api/v1/executions/{original_id}/rerun/", {"from_node": "nope"}, format="json"
        ).status_code
        == 400
    )


def test_run_accepted_while_the_broker_is_down_executes_after_it_returns(workspace, user):
    workflow = WorkflowFactory(workspace=workspace)
    workflow_publish(workflow=workflow, published_by=user)
    # Accept the run in another process whose broker is a dead port.
    execution_id = run_django_script(
        "from apps.workflows.models import Workflow\n"
        "from apps.workflows.services import execution_start\n"
        f"w = Workflow.objects.get(pk='{workflow.pk}')\n"
        "print(execution_start(workflow=w, input={'name': 'Ana'}, draft=False, "
        "started_by=None).pk)\n",
        CELERY_BROKER_URL="redis://127.0.0.1:9/0",
    ).strip()
    execution = Execution.objects.get(pk=execution_id)
    assert execution.status == "queued"

    # The accepting process never reached the broker; the sweep's hint starts the run.
    assert execution_sweep()["queued"] >= 1
    execution = wait_for(finished(execution_id))
    assert execution.status == "succeeded"
    assert execution.output == {"text": "Hello Ana"}
