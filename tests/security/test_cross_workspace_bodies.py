"""Another workspace's ids inside request bodies and inside graph node configs (issue 11,
tests/security): 404 or a 400 naming the field, and nothing written anywhere. A graph is
tried on every write that stores or runs it: create, update, import, publish, a draft run,
test-node and the draft's test webhook URL.

Body fields are found in the published schema (every JSON body property that is a UUID);
graph references in the block registry (every block config with a ``credential_id`` or a
``workflow_id``). A new id field or referencing block is therefore tried without editing
this file; FILLERS must name a valid body around each id field.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from apps.blocks.registry import default_registry
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.credentials.models import Credential
from apps.credentials.services import credential_create
from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution, ExecutionStep, Workflow, WorkflowVersion
from apps.workflows.tests.factories import ExecutionFactory, WorkflowFactory
from apps.workspaces.models import AuditEvent, Membership, Workspace

pytestmark = pytest.mark.django_db

# (method, path, id field) -> a valid body around the id ({id} is replaced).
FILLERS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("post", "/api/v1/credentials/", "workspace"): {
        "workspace": "{id}",
        "name": "mine",
        "kind": "bearer",
        "secret": {"token": "t-123456"},
    },
    ("post", "/api/v1/workflows/", "workspace"): {"workspace": "{id}", "name": "mine"},
    ("post", "/api/v1/workflows/import/", "workspace"): {
        "workspace": "{id}",
        "document": "{document}",
    },
    ("post", "/api/v1/triggers/draft/", "workflow"): {"workflow": "{id}", "node_id": "hook"},
    ("post", "/api/v1/expressions/preview/", "workspace"): {
        "workspace": "{id}",
        "template": "{{ trigger.a }}",
        "data": {"trigger": {"a": 1}},
    },
    ("post", "/api/v1/blocks/http_request/preview-request/", "workspace"): {
        "workspace": "{id}",
        "config": {"url": "https://example.com/"},
    },
    ("post", "/api/v1/routing/route", "workspace"): {
        "workspace": "{id}",
        "query": "send a message",
    },
    ("post", "/api/v1/triggers/poll-defaults/", "workspace"): {
        "workspace": "{id}",
        "source": {"kind": "http", "url": "https://example.com/"},
    },
}
# Config keys that name an object of the workspace, and the kind of object.
REFERENCES = {"credential_id": "credential", "workflow_id": "workflow"}


def _schema(api) -> dict[str, Any]:
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _id_fields(schema: dict[str, Any]) -> set[tuple[str, str, str]]:
    found = set()
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            content = ((item.get(method) or {}).get("requestBody") or {}).get("content", {})
            node = content.get("application/json", {}).get("schema", {})
            while "$ref" in node:
                node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
            for name, field in node.get("properties", {}).items():
                if field.get("format") == "uuid":
                    found.add((method, path, name))
    return found


def _referencing_blocks() -> list[tuple[str, str]]:
    """(block key, config key) of every registered block that names a workspace object."""
    return sorted(
        {
            (block.key, key)
            for block in default_registry.latest()
            for key in REFERENCES
            if key in block.spec.config_schema.get("properties", {})
        }
    )


def _snapshot() -> str:
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Workspace,
            Membership,
            Workflow,
            WorkflowVersion,
            Execution,
            ExecutionStep,
            Trigger,
            Credential,
            AuditEvent,
        )
    }
    return json.dumps(rows, default=str, sort_keys=True)


@pytest.fixture
def theirs(other_workspace) -> dict[str, Any]:
    stranger = Membership.objects.get(workspace=other_workspace).user
    workflow = published_workflow(
        workspace=other_workspace,
        user=stranger,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    return {
        "workspace": other_workspace.pk,
        "workflow": workflow.pk,
        "execution": ExecutionFactory(workflow=workflow).pk,
        "trigger": Trigger.objects.get(workflow=workflow).pk,
        "credential": credential_create(
            workspace=other_workspace,
            actor=stranger,
            name="theirs",
            kind="bearer",
            secret={"token": "their-token-123"},
        ).pk,
    }


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    """The connector the connector_operation graphs name (an unknown one is refused too)."""
    OperationFactory(connector=ConnectorFactory(slug="acme"), key="me")


def _graph(block: str, key: str, value: str) -> dict[str, Any]:
    config = {
        "http_request": {"url": "https://example.com/"},
        "connector_operation": {"connector": "acme", "operation": "me"},
        "llm_chat": {"model": "m"},
        "embedding": {"text": "hi"},
        "send_email": {"to": ["a@example.com"], "subject": "s", "text": "t"},
        "mcp_client": {"server_url": "https://example.com/mcp"},
    }.get(block, {})
    return {
        "nodes": [
            {
                "id": "hook",
                "type": "webhook_trigger",
                "data": {"config": {"verification": {"preset": "none"}}},
            },
            {"id": "ref", "type": block, "data": {"config": {**config, key: value}}},
        ],
        "edges": [{"id": "e1", "source": "hook", "target": "ref"}],
    }


def test_the_walks_find_the_id_fields_and_referencing_blocks(api):
    assert _id_fields(_schema(api)) == set(FILLERS)
    blocks = _referencing_blocks()
    assert (
        ("sub_workflow", "workflow_id") in blocks
        and ("http_request", "credential_id") in blocks
        and len(blocks) >= 5
    ), blocks


def test_another_workspaces_ids_in_bodies_are_404_and_write_nothing(api, workspace, theirs):
    document = api.get(f"/api/v1/workflows/{WorkflowFactory(workspace=workspace).pk}/export/")
    before = _snapshot()
    for method, path, field in sorted(FILLERS):
        body = json.loads(
            json.dumps(FILLERS[(method, path, field)])
            .replace('"{id}"', json.dumps(str(theirs[field])))
            .replace('"{document}"', json.dumps(document.json()))
        )
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.content[:300])
    assert _snapshot() == before


@pytest.mark.parametrize("block, key", _referencing_blocks())
def test_another_workspaces_ids_in_node_configs_are_refused_on_every_write(
    api, user, workspace, theirs, block, key
):
    foreign = str(theirs[REFERENCES[key]])
    graph = _graph(block, key, foreign)
    field = f"graph.nodes[1].data.config.{key}"
    mine = WorkflowFactory(workspace=workspace)
    # A draft that already holds the reference (saved before references were checked).
    legacy = WorkflowFactory(workspace=workspace, graph=graph)
    document = api.get(f"/api/v1/workflows/{mine.pk}/export/").json()
    document["graph"] = graph
    before = _snapshot()
    writes = [
        (
            "post",
            "/api/v1/workflows/",
            {"workspace": str(workspace.pk), "name": "w", "graph": graph},
        ),
        ("put", f"/api/v1/workflows/{mine.pk}/", {"version": mine.version, "graph": graph}),
        ("patch", f"/api/v1/workflows/{mine.pk}/", {"version": mine.version, "graph": graph}),
        (
            "post",
            "/api/v1/workflows/import/",
            {"workspace": str(workspace.pk), "document": document},
        ),
        ("post", f"/api/v1/workflows/{legacy.pk}/publish/", {}),
        ("post", f"/api/v1/workflows/{legacy.pk}/run/", {"draft": True}),
        ("post", f"/api/v1/workflows/{legacy.pk}/test-node/", {"node_id": "ref"}),
        ("post", "/api/v1/triggers/draft/", {"workflow": str(legacy.pk), "node_id": "hook"}),
    ]
    for method, path, body in writes:
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 400, (method, path, response.content[:300])
        assert field in response.json()["fields"], (method, path, response.json())
    check = api.post("/api/v1/workflows/validate/", {"graph": graph}, format="json").json()
    assert check["valid"] is True  # validate has no workspace; writes check references
    assert _snapshot() == before


@pytest.mark.parametrize("block, key", _referencing_blocks())
def test_a_reference_inside_the_workspace_is_accepted(api, user, workspace, block, key):
    own = {
        "credential": lambda: (
            credential_create(
                workspace=workspace,
                actor=user,
                name="mine",
                kind="bearer",
                secret={"token": "my-token-123"},
            ).pk
        ),
        "workflow": lambda: WorkflowFactory(workspace=workspace).pk,
    }[REFERENCES[key]]()
    response = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.pk), "name": "w", "graph": _graph(block, key, str(own))},
        format="json",
    )
    assert response.status_code == 201, response.content[:500]
