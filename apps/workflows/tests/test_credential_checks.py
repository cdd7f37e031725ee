"""`missing_credential`: connector steps of an authenticated connector without a credential."""

import pytest

from apps.connectors.tests.factories import ConnectorFactory, OperationFactory

pytestmark = pytest.mark.django_db


def _graph(*steps: dict) -> dict:
    nodes = [{"id": "start", "type": "manual_trigger", "data": {"config": {}}}]
    edges = []
    for step in steps:
        nodes.append({"id": step["id"], "type": "connector_operation", "data": {"config": step}})
        edges.append({"id": f"e-{step['id']}", "source": "start", "target": step["id"]})
    for node in nodes[1:]:
        node["data"]["config"].pop("id")
    return {"nodes": nodes, "edges": edges}


def test_validate_warns_of_a_connector_step_without_its_credential(api):
    authed = ConnectorFactory(slug="authed", auth_schemes=[{"key": "token", "kind": "http_bearer"}])
    OperationFactory(connector=authed, key="list")
    OperationFactory(connector=ConnectorFactory(slug="open", auth_schemes=[]), key="list")
    graph = _graph(
        {"id": "bare", "connector": "authed", "operation": "list"},
        {"id": "given", "connector": "authed", "operation": "list", "credential_id": "c-1"},
        {"id": "public", "connector": "open", "operation": "list"},
    )
    body = api.post("/api/v1/workflows/validate/", {"graph": graph}, format="json").json()
    found = [(i["node_id"], i["severity"], i["field"]) for i in body["issues"]]
    assert ("bare", "warning", "config.credential_id") in found
    assert [i["node_id"] for i in body["issues"] if i["code"] == "missing_credential"] == ["bare"]
    bare = next(i for i in body["warnings"] if i["code"] == "missing_credential")
    assert bare["path"] == "graph.nodes[1].data.config.credential_id"
    assert body["valid"] is True
