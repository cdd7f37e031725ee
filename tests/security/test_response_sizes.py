"""Issue 11, defect 10: answers stay small whatever the caller sent or the run produced."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from apps.workflows.models import ExecutionStep
from apps.workflows.tests.factories import SIMPLE_GRAPH, ExecutionFactory, WorkflowFactory
from apps.workspaces.models import Role

pytestmark = pytest.mark.django_db


def test_the_5001_node_rejection_does_not_echo_the_graph(api, workspace):
    nodes = [
        {
            "id": f"n{i}",
            "type": "transform",
            "position": {"x": i, "y": 0},
            "data": {"config": {"mapping": {"v": "x" * 100}}},
        }
        for i in range(5001)
    ]
    body = {"workspace": str(workspace.id), "name": "huge", "graph": {"nodes": nodes, "edges": []}}
    response = api.post("/api/v1/workflows/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["graph.nodes"] == ["Has more than 5000 items."]
    assert len(response.content) < 2000, len(response.content)


def test_shape_errors_name_the_problem_without_the_value(api, workspace):
    graph = json.loads(json.dumps(SIMPLE_GRAPH))
    graph["nodes"][1]["data"]["label"] = "L" * 5000
    graph["nodes"][0]["id"] = "bad id " + "y" * 5000
    response = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.id), "name": "x", "graph": graph},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["graph.nodes[1].data.label"] == ["Is longer than 200 characters."]
    assert "y" * 100 not in response.content.decode()


def test_steps_are_paginated(workspace, member_api):
    execution = ExecutionFactory(workflow=WorkflowFactory(workspace=workspace))
    now = timezone.now()
    ExecutionStep.objects.bulk_create(
        ExecutionStep(
            execution=execution,
            node_id="each",
            item_key=f"[{i}]",
            block_type="transform",
            status="succeeded",
            output={"i": i},
            started_at=now,
            finished_at=now,
        )
        for i in range(130)
    )
    viewer = member_api(Role.VIEWER)
    first = viewer.get(f"/api/v1/executions/{execution.pk}/steps/").json()
    assert first["count"] == 130 and len(first["results"]) == 50 and first["next"]
    seen = [row["output"]["i"] for row in first["results"]]
    page = viewer.get(first["next"]).json()
    while True:
        seen += [row["output"]["i"] for row in page["results"]]
        if not page["next"]:
            break
        page = viewer.get(page["next"]).json()
    assert sorted(seen) == list(range(130))
    assert (
        len(
            viewer.get(f"/api/v1/executions/{execution.pk}/steps/", {"page_size": 150}).json()[
                "results"
            ]
        )
        == 130
    )  # one page up to 200
