"""What the canvas stores beside blocks: node labels and sticky notes."""

import copy

import pytest

from apps.workflows.models import Workflow
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory

pytestmark = pytest.mark.django_db


def _graph_with_note(text: str) -> dict:
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["label"] = "Say hello"
    graph["nodes"].append(
        {"id": "note_1", "type": "note", "position": {"x": 0, "y": 120}, "data": {"text": text}}
    )
    return graph


def test_a_label_and_a_note_save_and_publish(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    url = f"/api/v1/workflows/{workflow.id}/"
    graph = _graph_with_note("Ask Ann before changing the greeting.")
    saved = api.patch(url, {"version": 1, "graph": graph}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["graph"] == graph
    published = api.post(f"{url}publish/", {}, format="json")
    assert published.status_code == 201, published.json()


def test_an_edge_into_a_note_is_refused_on_the_note(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    graph = _graph_with_note("x")
    graph["edges"].append({"id": "e2", "source": "greet", "target": "note_1"})
    response = api.patch(
        f"/api/v1/workflows/{workflow.id}/", {"version": 1, "graph": graph}, format="json"
    )
    assert response.status_code == 400
    issues = response.json()["issues"]
    assert [(i["node_id"], i["code"]) for i in issues] == [("note_1", "note_edge")]
    assert Workflow.objects.get(pk=workflow.pk).version == 1


@pytest.mark.parametrize(
    "field, value",
    [("text", "x" * 10_001), ("text", 5), ("label", "y" * 201)],
)
def test_an_oversize_or_mistyped_text_names_the_field(api, workspace, field, value):
    workflow = WorkflowFactory(workspace=workspace)
    graph = _graph_with_note("ok")
    graph["nodes"][2]["data"][field] = value
    response = api.patch(
        f"/api/v1/workflows/{workflow.id}/", {"version": 1, "graph": graph}, format="json"
    )
    assert response.status_code == 400
    assert f"graph.nodes[2].data.{field}" in response.json()["fields"]
