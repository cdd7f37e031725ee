"""POST /api/v1/expressions/preview/ and the graph warnings of validate and save."""

import pytest
from rest_framework.test import APIClient

from apps.workflows.engine.tests.helpers import GraphBuilder, make_env
from apps.workflows.expression_preview import MAX_DATA_BYTES, MAX_RESULT_BYTES
from apps.workflows.models import Workflow
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/expressions/preview/"


def preview(client, workspace, **body):
    return client.post(URL, {"workspace": str(workspace.id), **body}, format="json")


def test_a_template_previews_what_a_run_computes(api, workspace):
    mapping = {
        "text": "{{ nodes.greet.output.text }}, {{ length(trigger.items) }} items",
        "first": "{{ trigger.items[0] }}",
        "missing": "{{ nodes.greet.output.nope }}",
    }
    graph = (
        GraphBuilder()
        .trigger("t")
        .node("greet", "transform", mapping={"text": "Hi {{ trigger.name }}"})
        .node("use", "transform", mapping=mapping)
        .chain("t", "greet", "use")
        .build()
    )
    trigger = {"name": "Ann", "items": [{"a": 1}, {"a": 2}]}
    run = make_env().run(graph, trigger)
    assert run.status == "succeeded"
    data = {"trigger": trigger, "nodes": {"greet": {"output": run.steps["greet"].output}}}
    for key, template in mapping.items():
        response = preview(api, workspace, template=template, data=data)
        assert response.status_code == 200, response.json()
        assert response.json() == {"value": run.steps["use"].output[key]}
    assert run.steps["use"].output["first"] == {"a": 1}  # a single expression keeps its type


def test_a_bare_expression_keeps_its_type(api, workspace):
    response = preview(
        api,
        workspace,
        expression="trigger.items[?a > `1`].a",
        data={"trigger": {"items": [{"a": 1}, {"a": 2}, {"a": 3}]}},
    )
    assert response.json() == {"value": [2, 3]}


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"template": "{{ trigger. }}"}, "template", "invalid expression {{ trigger. }}: "),
        ({"template": "{{ trigger.x"}, "template", "missing '}}'"),
        ({"expression": "abs(trigger.name)"}, "expression", "{{ abs(trigger.name) }}: "),
        ({"expression": "{{ trigger }}"}, "expression", "without {{ }}"),
        ({}, "expression", "exactly one of expression or template"),
        ({"template": "a", "expression": "b"}, "expression", "exactly one of"),
        ({"template": "x" * 10_001}, "template", "no more than 10000"),
        ({"template": "{{ trigger }}", "data": []}, "data", "dictionary"),
        ({"template": "{{ trigger }}", "code": "1"}, "code", "Unknown field"),
    ],
)
def test_precise_errors(api, workspace, body, field, message):
    body.setdefault("data", {"trigger": {"name": "Ann"}})
    response = preview(api, workspace, **body)
    assert response.status_code == 400
    errors = response.json()["fields"]
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_input_and_answer_are_bounded(api, workspace):
    big = {"trigger": {"text": "x" * MAX_DATA_BYTES}}
    response = preview(api, workspace, template="{{ trigger }}", data=big)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["data"]
    # Small data, a large answer: doubling a text grows it past the bound.
    grow = "join('', [@, @, @, @, @, @, @, @])"
    expression = f"trigger.text | {grow} | {grow} | {grow} | {grow}"
    data = {"trigger": {"text": "x" * (MAX_RESULT_BYTES // 1000)}}
    response = preview(api, workspace, expression=expression, data=data)
    assert response.status_code == 400
    assert "larger than 256 KiB" in response.json()["fields"]["expression"][0]


def test_only_members_of_the_workspace_preview(api, workspace, other_workspace, member_api):
    body = {"template": "{{ trigger }}", "data": {"trigger": 1}}
    assert preview(api, other_workspace, **body).status_code == 404
    assert preview(member_api(Role.VIEWER), workspace, **body).json() == {"value": 1}
    assert preview(APIClient(), workspace, **body).status_code == 401


def _graph_with_bad_references() -> dict:
    return (
        GraphBuilder()
        .trigger("t")
        .node("a", "transform", mapping={"x": "{{ nodes.b.output }}", "y": "{{ nodes.zz }}"})
        .node("b", "transform", mapping={"x": "{{ nodes.a.output }}"})
        .chain("t", "a", "b")
        .build()
    )


EXPECTED = [
    ("a", "config.mapping.x", "graph.nodes[1].data.config.mapping.x", "not_upstream"),
    ("a", "config.mapping.y", "graph.nodes[1].data.config.mapping.y", "unknown_reference"),
]


def _warnings(body: dict) -> list[tuple[str, str, str, str]]:
    assert all(w["severity"] == "warning" for w in body["warnings"])
    return [(w["node_id"], w["field"], w["path"], w["code"]) for w in body["warnings"]]


def test_validate_lists_reference_warnings(api):
    graph = _graph_with_bad_references()
    body = api.post("/api/v1/workflows/validate/", {"graph": graph}, format="json").json()
    assert body["valid"] is True
    assert _warnings(body) == EXPECTED
    assert body["issues"] == body["warnings"]


def test_save_answers_with_the_warnings_of_the_saved_graph(api, workspace):
    graph = _graph_with_bad_references()
    created = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.id), "name": "refs", "graph": graph},
        format="json",
    )
    assert created.status_code == 201
    assert _warnings(created.json()) == EXPECTED
    workflow = Workflow.objects.get(pk=created.json()["id"])
    assert workflow.graph == graph  # warnings never refuse a save

    fixed = WorkflowFactory(workspace=workspace)
    response = api.patch(
        f"/api/v1/workflows/{fixed.id}/", {"version": fixed.version, "graph": graph}, format="json"
    )
    assert _warnings(response.json()) == EXPECTED
    graph["nodes"][1]["data"]["config"]["mapping"] = {"x": "{{ nodes.t.output }}"}
    response = api.patch(
        f"/api/v1/workflows/{fixed.id}/",
        {"version": fixed.version + 1, "graph": graph},
        format="json",
    )
    assert response.status_code == 200 and response.json()["warnings"] == []
