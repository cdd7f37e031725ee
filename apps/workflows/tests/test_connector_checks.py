"""Connector steps against the catalogue: an unknown connector or operation and parameters the
operation's schema refuses are errors at the node's field; a save is refused and writes nothing.
A draft may lack a required parameter; publishing and running may not."""

import pytest

from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.workflows.models import Workflow
from apps.workflows.tests.factories import WorkflowFactory

pytestmark = pytest.mark.django_db

PARAMETERS = {
    "type": "object",
    "required": ["owner", "state"],
    "properties": {
        "owner": {"type": "string", "x-in": "path"},
        "state": {"type": "string", "enum": ["open", "closed"], "x-in": "query"},
        "per_page": {"type": "integer", "maximum": 100, "x-in": "query"},
    },
}


@pytest.fixture
def catalogue():
    desk = ConnectorFactory(slug="desk", name="Desk")
    OperationFactory(connector=desk, key="issues.list", parameters_schema=PARAMETERS)
    OperationFactory(connector=desk, key="issues.hidden", enabled=False)
    ConnectorFactory(slug="retired", enabled=False)


def _graph(*configs: dict) -> dict:
    nodes = [{"id": "start", "type": "manual_trigger", "data": {"config": {}}}]
    for index, config in enumerate(configs):
        nodes.append({"id": f"n{index}", "type": "connector_operation", "data": {"config": config}})
    edges = [{"id": f"e{i}", "source": "start", "target": n["id"]} for i, n in enumerate(nodes[1:])]
    return {"nodes": nodes, "edges": edges}


def _validate(api, graph: dict) -> dict:
    body = api.post("/api/v1/workflows/validate/", {"graph": graph}, format="json").json()
    return {**body, "errors": [i for i in body["issues"] if i["severity"] == "error"]}


def test_unknown_connectors_and_operations_are_errors_at_their_field(api, catalogue):
    body = _validate(
        api,
        _graph(
            {"connector": "nope", "operation": "x"},
            {"connector": "retired", "operation": "x"},
            {"connector": "desk", "operation": "issues.nope"},
            {"connector": "desk", "operation": "issues.hidden"},
        ),
    )
    found = {
        (i["node_id"], i["code"], i["path"], i["message"])
        for i in body["errors"]
        if i["code"] in ("unknown_connector", "unknown_operation")
    }
    assert found == {
        ("n0", "unknown_connector", "graph.nodes[1].data.config.connector",
         "No connector 'nope' in the catalogue."),
        ("n1", "unknown_connector", "graph.nodes[2].data.config.connector",
         "No connector 'retired' in the catalogue."),
        ("n2", "unknown_operation", "graph.nodes[3].data.config.operation",
         "The desk connector has no operation 'issues.nope'."),
        ("n3", "unknown_operation", "graph.nodes[4].data.config.operation",
         "The desk connector has no operation 'issues.hidden'."),
    }  # fmt: skip
    assert body["valid"] is False


def test_parameters_are_checked_against_the_operations_schema(api, catalogue):
    body = _validate(
        api,
        _graph(
            {"connector": "desk", "operation": "issues.list", "parameters": {"state": "shut"}},
            {
                "connector": "desk",
                "operation": "issues.list",
                "parameters": {"owner": "ada", "state": "open", "per_page": 500},
            },
        ),
    )
    found = {(i["node_id"], i["path"], i["message"]) for i in body["errors"]}
    assert found == {
        ("n0", "graph.nodes[1].data.config.parameters.owner", "Required by desk.issues.list."),
        (
            "n0",
            "graph.nodes[1].data.config.parameters.state",
            "'shut' is not one of ['open', 'closed']",
        ),
        (
            "n1",
            "graph.nodes[2].data.config.parameters.per_page",
            "500 is greater than the maximum of 100",
        ),
    }
    codes = {(i["field"], i["code"]) for i in body["errors"]}
    assert ("config.parameters.owner", "missing_parameter") in codes
    assert ("config.parameters.state", "invalid_parameter") in codes


def test_good_parameters_and_expressions_pass(api, catalogue):
    good = {"owner": "ada", "state": "open"}
    # Known at run time only: the block checks the resolved values again.
    later = {"owner": "{{ trigger.owner }}", "state": "{{ trigger.state }}", "per_page": "{{ n }}"}
    body = _validate(
        api,
        _graph(
            {"connector": "desk", "operation": "issues.list", "parameters": good},
            {"connector": "desk", "operation": "issues.list", "parameters": later},
            {"connector": "{{ trigger.connector }}", "operation": "anything"},
            {"connector": "desk", "operation": "{{ trigger.op }}"},
        ),
    )
    assert body["errors"] == []
    assert body["valid"] is True


def test_a_save_with_a_refused_parameter_writes_nothing(api, workspace, catalogue):
    workflow = WorkflowFactory(workspace=workspace)
    graph = _graph({"connector": "desk", "operation": "issues.list", "parameters": {"owner": 7}})
    response = api.patch(
        f"/api/v1/workflows/{workflow.id}/", {"version": 1, "graph": graph}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields == {"graph.nodes[1].data.config.parameters.owner": ["7 is not of type 'string'"]}
    workflow.refresh_from_db()
    assert workflow.version == 1
    assert Workflow.objects.count() == 1


def test_a_draft_may_lack_a_required_parameter_but_cannot_run_or_publish(api, workspace, catalogue):
    workflow = WorkflowFactory(workspace=workspace)
    graph = _graph({"connector": "desk", "operation": "issues.list", "parameters": {"owner": "a"}})
    url = f"/api/v1/workflows/{workflow.id}/"
    assert api.patch(url, {"version": 1, "graph": graph}, format="json").status_code == 200
    missing = {"graph.nodes[1].data.config.parameters.state": ["Required by desk.issues.list."]}
    run = api.post(f"{url}run/", {"draft": True}, format="json")
    assert (run.status_code, run.json()["fields"]) == (400, missing)
    published = api.post(f"{url}publish/", {}, format="json")
    assert (published.status_code, published.json()["fields"]) == (400, missing)
    workflow.refresh_from_db()
    assert workflow.published_version_id is None
