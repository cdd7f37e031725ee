import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.workflows.models import Execution, Workflow, WorkflowVersion
from apps.workflows.tests.factories import SIMPLE_GRAPH, ExecutionFactory, WorkflowFactory
from apps.workspaces.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


def test_list_shows_only_the_callers_workspaces(api, workspace, other_workspace):
    mine = WorkflowFactory(workspace=workspace)
    WorkflowFactory(workspace=other_workspace)
    response = api.get("/api/v1/workflows/")
    assert response.status_code == 200
    assert [w["id"] for w in response.json()["results"]] == [str(mine.id)]
    assert "graph" not in response.json()["results"][0]


def test_list_query_count_does_not_grow_with_rows(api, workspace):
    WorkflowFactory.create_batch(3, workspace=workspace)
    api.get("/api/v1/workflows/")  # the first call also stamps the token's last use
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/workflows/")
    WorkflowFactory.create_batch(20, workspace=workspace)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/api/v1/workflows/")
    assert response.json()["count"] == 23
    assert len(many) == len(few)


def test_create_returns_the_workflow_and_audits(api, workspace):
    response = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.id), "name": "Hello", "graph": SIMPLE_GRAPH},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == 1 and body["status"] == "draft"
    assert body["graph"] == SIMPLE_GRAPH
    assert AuditEvent.objects.filter(action="workflow.created", target_id=body["id"]).exists()


def test_create_in_another_workspace_is_404_and_writes_nothing(api, other_workspace):
    response = api.post(
        "/api/v1/workflows/", {"workspace": str(other_workspace.id), "name": "x"}, format="json"
    )
    assert response.status_code == 404
    assert not Workflow.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"workspace": None, "name": "x"}, "workspace"),
        ({"workspace": "not-a-uuid", "name": "x"}, "workspace"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": ["x"]}, "name"),
        ({"name": "x", "graph": {"nodes": [{"type": "transform"}], "edges": []}}, "graph.nodes[0]"),
        (
            {"name": "x", "graph": {"nodes": [], "edges": [{"source": 1, "target": "b"}]}},
            "graph.edges[0].source",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api, workspace, payload, field):
    payload = {"workspace": str(workspace.id), **payload}
    response = api.post("/api/v1/workflows/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert field in body["fields"], body
    assert not Workflow.objects.exists()


def test_malformed_json_is_a_clear_400(api):
    response = api.post("/api/v1/workflows/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "parse_error"


def test_oversize_body_is_413(api, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"workspace": str(workspace.id), "name": "x" * 5000})
    response = api.post("/api/v1/workflows/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["type"] == "payload_too_large"
    assert not Workflow.objects.exists()


def test_stale_version_is_409_and_changes_nothing(api, workspace):
    workflow = WorkflowFactory(workspace=workspace, name="before")
    url = f"/api/v1/workflows/{workflow.id}/"
    first = api.patch(url, {"version": 1, "name": "first"}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api.patch(url, {"version": 1, "name": "second"}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {
        "type": "conflict",
        "current_version": 2,
        "detail": "The workflow was changed by someone else since you loaded it.",
    }
    workflow.refresh_from_db()
    assert (workflow.name, workflow.version) == ("first", 2)


def test_patch_requires_version(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    response = api.patch(f"/api/v1/workflows/{workflow.id}/", {"name": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["fields"]


def test_invalid_graph_on_update_changes_nothing(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    response = api.patch(
        f"/api/v1/workflows/{workflow.id}/",
        {"version": 1, "graph": {"nodes": "oops"}},
        format="json",
    )
    assert response.status_code == 400
    workflow.refresh_from_db()
    assert workflow.version == 1 and workflow.graph == SIMPLE_GRAPH


def test_viewer_can_read_but_not_write(workspace, member_api):
    workflow = WorkflowFactory(workspace=workspace)
    viewer = member_api(Role.VIEWER)
    assert viewer.get(f"/api/v1/workflows/{workflow.id}/").status_code == 200
    denied = [
        viewer.patch(
            f"/api/v1/workflows/{workflow.id}/", {"version": 1, "name": "x"}, format="json"
        ),
        viewer.delete(f"/api/v1/workflows/{workflow.id}/"),
        viewer.post(f"/api/v1/workflows/{workflow.id}/publish/", {}, format="json"),
        viewer.post(
            "/api/v1/workflows/", {"workspace": str(workspace.id), "name": "x"}, format="json"
        ),
    ]
    assert [r.status_code for r in denied] == [403, 403, 403, 403]
    assert denied[0].json()["type"] == "permission_denied"
    workflow.refresh_from_db()
    assert workflow.version == 1 and Workflow.objects.count() == 1


def test_publish_versions_and_rollback(api, workspace, user):
    workflow = WorkflowFactory(workspace=workspace)
    base = f"/api/v1/workflows/{workflow.id}"
    first = api.post(f"{base}/publish/", {"note": "first"}, format="json")
    assert first.status_code == 201 and first.json()["number"] == 1
    assert first.json()["is_live"] is True
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["config"]["mapping"]["text"] = "Bye"
    assert api.patch(f"{base}/", {"version": 1, "graph": graph}, format="json").status_code == 200
    assert api.post(f"{base}/publish/", {}, format="json").json()["number"] == 2

    versions = api.get(f"{base}/versions/").json()["results"]
    assert [(v["number"], v["published_by"], v["is_live"]) for v in versions] == [
        (2, user.username, True),
        (1, user.username, False),
    ]

    rolled = api.post(f"{base}/rollback/", {"version": 1}, format="json")
    assert rolled.status_code == 200
    workflow.refresh_from_db()
    assert workflow.published_version.number == 1
    assert workflow.published_version.graph == SIMPLE_GRAPH
    assert api.post(f"{base}/rollback/", {"version": 9}, format="json").status_code == 400

    assert api.post(f"{base}/unpublish/").json()["status"] == "draft"
    workflow.refresh_from_db()
    assert workflow.published_version is None and WorkflowVersion.objects.count() == 2


def test_the_workflow_says_whether_its_draft_is_the_live_version(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    base = f"/api/v1/workflows/{workflow.id}"
    assert api.get(f"{base}/").json()["draft_is_live"] is False  # never published
    api.post(f"{base}/publish/", {}, format="json")
    assert api.get(f"{base}/").json()["draft_is_live"] is True
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["config"]["mapping"]["text"] = "Bye"
    saved = api.patch(f"{base}/", {"version": 1, "graph": graph}, format="json").json()
    assert saved["draft_is_live"] is False  # an edit not yet published
    api.post(f"{base}/rollback/", {"version": 1}, format="json")
    api.patch(f"{base}/", {"version": 2, "graph": SIMPLE_GRAPH}, format="json")
    assert api.get(f"{base}/").json()["draft_is_live"] is True


def test_published_versions_are_immutable(workspace):
    workflow = WorkflowFactory(workspace=workspace)
    version = WorkflowVersion.objects.create(workflow=workflow, number=1, graph={})
    version.note = "edited"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_export_then_import_into_another_workspace(api, workspace, user):
    other = WorkflowFactory(workspace=workspace).workspace  # same workspace, for the export
    source = WorkflowFactory(workspace=other, name="Portable")
    document = api.get(f"/api/v1/workflows/{source.id}/export/").json()
    assert document["format"] == "flowplane.workflow" and "id" not in document

    target = api.post("/api/v1/workspaces/", {"name": "Target"}, format="json").json()
    response = api.post(
        "/api/v1/workflows/import/",
        {"workspace": target["id"], "document": document},
        format="json",
    )
    assert response.status_code == 201, response.json()
    imported = Workflow.objects.get(pk=response.json()["id"])
    assert str(imported.workspace_id) == target["id"]
    assert (imported.name, imported.graph, imported.status) == ("Portable", source.graph, "draft")


def test_import_rejects_a_bad_document_and_writes_nothing(api, workspace):
    response = api.post(
        "/api/v1/workflows/import/",
        {"workspace": str(workspace.id), "document": {"format": "n8n"}},
        format="json",
    )
    assert response.status_code == 400
    assert {"document.format", "document.name", "document.graph"} <= set(response.json()["fields"])
    assert not Workflow.objects.exists()


def test_import_into_a_foreign_workspace_is_404(api, other_workspace):
    response = api.post(
        "/api/v1/workflows/import/",
        {"workspace": str(other_workspace.id), "document": {}},
        format="json",
    )
    assert response.status_code == 404


def test_executions_are_scoped(api, workspace, other_workspace):
    mine = ExecutionFactory(workflow=WorkflowFactory(workspace=workspace))
    theirs = ExecutionFactory(workflow=WorkflowFactory(workspace=other_workspace))
    listed = api.get("/api/v1/executions/").json()["results"]
    assert [e["id"] for e in listed] == [str(mine.id)]
    assert api.get(f"/api/v1/executions/{mine.id}/steps/").status_code == 200
    assert api.get(f"/api/v1/executions/{mine.id}/logs/").status_code == 200
    for suffix in ("", "steps/", "logs/", "stream/"):
        assert api.get(f"/api/v1/executions/{theirs.id}/{suffix}").status_code == 404
    for suffix in ("cancel/", "rerun/", "resume/"):
        response = api.post(f"/api/v1/executions/{theirs.id}/{suffix}", {"key": "x"}, format="json")
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "queued" and not theirs.cancel_requested


def test_a_run_lists_with_names_and_its_detail_carries_the_graph_it_ran(api, workspace):
    workflow = WorkflowFactory(
        workspace=workspace, name="Greeter", graph=copy.deepcopy(SIMPLE_GRAPH)
    )
    response = api.post(f"/api/v1/workflows/{workflow.id}/run/", {"draft": True}, format="json")
    run_id = response.json()["id"]
    workflow.graph = {"nodes": [], "edges": []}  # edits after the run do not change its graph
    workflow.save()
    listed = api.get("/api/v1/executions/", {"workflow": str(workflow.id)}).json()["results"]
    assert [(e["id"], e["workflow_name"], e["trigger_kind"]) for e in listed] == [
        (run_id, "Greeter", None)
    ]
    assert "graph" not in listed[0]
    detail = api.get(f"/api/v1/executions/{run_id}/").json()
    assert detail["graph"] == SIMPLE_GRAPH


def test_execution_list_query_count_does_not_grow_with_rows(api, workspace):
    ExecutionFactory.create_batch(2, workflow=WorkflowFactory(workspace=workspace))
    api.get("/api/v1/executions/")
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/executions/")
    for _ in range(5):
        ExecutionFactory(workflow=WorkflowFactory(workspace=workspace))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/executions/").json()["results"]) == 7
    assert len(many) == len(few)


def test_viewer_cannot_run_cancel_or_resume(workspace, member_api):
    workflow = WorkflowFactory(workspace=workspace)
    execution = ExecutionFactory(workflow=workflow)
    viewer = member_api(Role.VIEWER)
    assert (
        viewer.post(
            f"/api/v1/workflows/{workflow.id}/run/", {"draft": True}, format="json"
        ).status_code
        == 403
    )
    for suffix in ("cancel/", "rerun/", "resume/"):
        assert (
            viewer.post(
                f"/api/v1/executions/{execution.id}/{suffix}", {"key": "x"}, format="json"
            ).status_code
            == 403
        )
    assert not Execution.objects.exclude(pk=execution.pk).exists()


FOREIGN_WORKFLOW_CALLS = [
    ("get", ""),
    ("patch", ""),
    ("delete", ""),
    ("post", "publish/"),
    ("post", "unpublish/"),
    ("get", "versions/"),
    ("get", "versions/1/"),
    ("get", "diff/"),
    ("post", "rollback/"),
    ("get", "export/"),
    ("post", "run/"),
    ("post", "test-node/"),
]


@pytest.mark.parametrize("method, suffix", FOREIGN_WORKFLOW_CALLS)
def test_another_workspaces_workflow_is_404_for_every_endpoint(
    api, other_workspace, method, suffix
):
    workflow = WorkflowFactory(workspace=other_workspace)
    response = getattr(api, method)(
        f"/api/v1/workflows/{workflow.id}/{suffix}", {"version": 1, "name": "x"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    workflow.refresh_from_db()
    assert workflow.version == 1 and workflow.status == "draft"


def test_unauthenticated_requests_are_refused(client):
    response = client.get("/api/v1/workflows/")
    assert response.status_code == 401
    assert response.json()["type"] == "not_authenticated"


def test_every_graph_problem_is_reported_with_its_node(api, workspace):
    graph = {
        "nodes": [
            {"id": "start", "type": "manual_trigger", "data": {"config": {}}},
            {"id": "ghost", "type": "no_such_block", "data": {"config": {}}},
            {"id": "shape", "type": "transform", "data": {"config": {"mapping": "not-an-object"}}},
            {"id": "expr", "type": "transform", "data": {"config": {"mapping": {"x": "{{ a[ }}"}}}},
        ],
        "edges": [{"id": "e1", "source": "start", "target": "missing"}],
    }
    response = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.id), "name": "x", "graph": graph},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    codes = {(i["node_id"], i["code"]) for i in body["issues"]}
    assert {
        ("ghost", "unknown_block"),
        ("shape", "invalid_config"),
        ("expr", "expression_syntax"),
    } <= codes
    assert any(i["code"] == "dangling_edge" for i in body["issues"])
    assert "graph.nodes[2].data.config.mapping" in body["fields"]
    assert not Workflow.objects.exists()


def test_a_draft_without_trigger_saves_but_does_not_publish(api, workspace):
    graph = {
        "nodes": [{"id": "t", "type": "transform", "data": {"config": {"mapping": {}}}}],
        "edges": [],
    }
    created = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.id), "name": "wip", "graph": graph},
        format="json",
    )
    assert created.status_code == 201
    published = api.post(f"/api/v1/workflows/{created.json()['id']}/publish/")
    assert published.status_code == 400
    assert [i["code"] for i in published.json()["issues"]] == ["missing_trigger"]
    assert not WorkflowVersion.objects.exists()


def test_validate_endpoint_lists_warnings_and_errors(api):
    graph = {
        "nodes": [
            {"id": "start", "type": "manual_trigger", "data": {"config": {}}},
            {"id": "lonely", "type": "transform", "data": {"config": {"mapping": {}}}},
        ],
        "edges": [],
    }
    body = api.post("/api/v1/workflows/validate/", {"graph": graph}, format="json").json()
    assert body["valid"] is True
    assert [(i["node_id"], i["code"], i["severity"]) for i in body["issues"]] == [
        ("lonely", "unreachable", "warning")
    ]


def test_run_needs_a_published_version_unless_draft(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    response = api.post(f"/api/v1/workflows/{workflow.id}/run/", {"input": {}}, format="json")
    assert response.status_code == 409
    assert response.json()["type"] == "workflow_not_published"
    assert (
        api.post(f"/api/v1/workflows/{workflow.id}/run/", {"input": []}, format="json").status_code
        == 400
    )


def test_single_node_test_run_with_pinned_input(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    response = api.post(
        f"/api/v1/workflows/{workflow.id}/test-node/",
        {"node_id": "greet", "pinned": {"trigger": {"name": "Pin"}}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "succeeded"
    assert response.json()["output"] == {"text": "Hello Pin"}
    assert (
        api.post(
            f"/api/v1/workflows/{workflow.id}/test-node/", {"node_id": "nope"}, format="json"
        ).status_code
        == 400
    )
