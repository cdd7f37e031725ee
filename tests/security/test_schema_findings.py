"""The findings of the schemathesis run (test_schema_fuzz.py), each as an exact reproduction."""

import pytest

from apps.workflows.models import Workflow
from apps.workflows.services import execution_create, workflow_publish
from apps.workflows.tests.factories import WorkflowFactory


@pytest.fixture
def ran(user, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    return workflow, execution_create(workflow=workflow, mode="api", input={})


def _schema(api):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_deleting_a_workflow_that_has_run_is_a_conflict_not_a_500(api, ran):
    workflow, _ = ran
    response = api.delete(f"/api/v1/workflows/{workflow.pk}/")
    assert response.status_code == 409, response.content
    assert "executions" in response.json()["detail"]
    assert Workflow.objects.filter(pk=workflow.pk).exists()


def test_an_unpublished_workflow_has_a_null_version_the_schema_allows(api, ran):
    workflow, _ = ran
    response = api.post(f"/api/v1/workflows/{workflow.pk}/unpublish/")
    assert response.status_code == 200
    assert response.json()["published_version"] is None
    field = _schema(api)["components"]["schemas"]["WorkflowOutput"]["properties"][
        "published_version"
    ]
    assert field.get("nullable") is True or {"type": "null"} in field.get("anyOf", []), field


@pytest.mark.parametrize(
    "path", ["/api/v1/executions/{execution}/logs/", "/api/v1/workspaces/{workspace}/members/"]
)
def test_unpaginated_lists_are_published_as_lists(api, ran, workspace, path):
    _, execution = ran
    url = path.format(execution=execution.pk, workspace=workspace.pk)
    assert isinstance(api.get(url).json(), list)
    template = path.replace("{execution}", "{id}").replace("{workspace}", "{id}")
    answer = _schema(api)["paths"][template]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["type"] == "array"


def test_stream_events_are_published_as_events(api):
    answer = _schema(api)["paths"]["/api/v1/executions/{id}/stream/"]["get"]["responses"]["200"]
    schema = answer["content"]["text/event-stream"]["schema"]
    assert schema["type"] == "object" and "data" in schema["properties"]


def test_a_draft_run_has_a_null_version_the_schema_allows(api, ran):
    workflow, _ = ran
    response = api.post(f"/api/v1/workflows/{workflow.pk}/run/", {"draft": True}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["version"] is None
    field = _schema(api)["components"]["schemas"]["ExecutionOutput"]["properties"]["version"]
    assert field.get("nullable") is True or {"type": "null"} in field.get("anyOf", []), field
