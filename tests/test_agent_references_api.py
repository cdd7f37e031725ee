"""Credential ids nested in the agent's config (the Semantic Router's MCP servers and its
credential per connector) are checked when a graph is saved, like any block's
`credential_id`: an unknown id, or one of another workspace (it reads the same: nothing about
other workspaces leaks), is a 400 naming the exact field; nothing is written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from apps.credentials import services as credentials
from apps.workflows.models import Workflow

pytestmark = pytest.mark.django_db

MESSAGE = "No credential with this id in this workspace."


def graph(**config: Any) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": "start", "type": "manual_trigger", "data": {"config": {}}},
            {
                "id": "agent",
                "type": "semantic_router",
                "data": {"config": {"query": "open a ticket", "execute": True, **config}},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "agent"}],
    }


def bearer(workspace: Any, name: str) -> str:
    return str(
        credentials.credential_create(
            workspace=workspace, actor=None, name=name, kind="bearer", secret={"token": "t0k3n-ab"}
        ).pk
    )


def test_unknown_and_foreign_mcp_and_connector_credentials_are_refused_by_field(
    api, workspace, other_workspace
):
    mine, theirs, unknown = (
        bearer(workspace, "mine"),
        bearer(other_workspace, "theirs"),
        str(uuid.uuid4()),
    )
    servers = [
        {"url": "https://tools.example.com/mcp", "credential_id": mine},
        {"url": "https://other.example.com/mcp", "credential_id": theirs},
        {"url": "https://third.example.com/mcp", "credential_id": unknown},
        {"url": "https://open.example.com/mcp"},
        {"url": "https://late.example.com/mcp", "credential_id": "{{ trigger.credential }}"},
    ]
    body = {
        "workspace": str(workspace.pk),
        "name": "agent",
        "graph": graph(mcp_servers=servers, credentials={"github": theirs, "slack": mine}),
    }

    response = api.post("/api/v1/workflows/", body, format="json")

    assert response.status_code == 400, response.content[:500]
    config = "graph.nodes[1].data.config"
    assert response.json()["fields"] == {
        f"{config}.mcp_servers[1].credential_id": [MESSAGE],
        f"{config}.mcp_servers[2].credential_id": [MESSAGE],
        f"{config}.credentials.github": [MESSAGE],
    }
    issues = {i["field"]: i for i in response.json()["issues"]}
    assert issues["config.mcp_servers[1].credential_id"]["node_id"] == "agent"
    assert "theirs" not in response.content.decode()  # the other workspace's name stays there
    assert not Workflow.objects.filter(workspace=workspace).exists()


def test_the_same_check_on_update_and_the_workspaces_own_credentials_pass(
    api, workspace, other_workspace
):
    mine = bearer(workspace, "mine")
    servers = [{"url": "https://tools.example.com/mcp", "credential_id": mine}]
    created = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.pk), "name": "agent", "graph": graph(mcp_servers=servers)},
        format="json",
    )
    assert created.status_code == 201, created.content[:500]
    workflow = created.json()

    theirs = bearer(other_workspace, "theirs")
    servers.append({"url": "https://other.example.com/mcp", "credential_id": theirs})
    response = api.patch(
        f"/api/v1/workflows/{workflow['id']}/",
        {"version": workflow["version"], "graph": graph(mcp_servers=servers)},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [
        "graph.nodes[1].data.config.mcp_servers[1].credential_id"
    ]
    stored = Workflow.objects.get(pk=workflow["id"]).graph
    assert len(stored["nodes"][1]["data"]["config"]["mcp_servers"]) == 1
