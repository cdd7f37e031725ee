"""The catalogue as the connector browser reads it: search by part of a name, category,
popularity (workflows and credentials using each, counted from real rows), the connected flag
of one workspace, operations a page at a time, and flat query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.connectors.models import Connector
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.credentials import services as credentials
from apps.workflows.models import Workflow
from apps.workflows.tests.factories import WorkflowFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/connectors/"


def _uses(*slugs: str) -> dict:
    nodes = [
        {
            "id": "start",
            "type": "manual_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        }
    ]
    nodes += [
        {
            "id": f"call{i}",
            "type": "connector_operation",
            "position": {"x": 0, "y": 0},
            "data": {"config": {"connector": slug, "operation": "op"}},
        }
        for i, slug in enumerate(slugs)
    ]
    return {"nodes": nodes, "edges": []}


def _credential(workspace, connector, name):
    return credentials.credential_create(
        workspace=workspace,
        actor=None,
        name=name,
        kind="bearer",
        secret={"token": "t0ken"},
        connector=connector,
    )


@pytest.fixture
def catalogue():
    slack = ConnectorFactory(
        slug="slack", name="Slack", category="messaging", description="Post messages to channels."
    )
    OperationFactory.create_batch(3, connector=slack)
    translate = ConnectorFactory(
        slug="translate",
        name="Translate",
        category="ml_model",
        description="Translates text between languages.",
    )
    github = ConnectorFactory(
        slug="github",
        name="GitHub",
        category="developer",
        description="Repositories, issues and pull requests.",
    )
    return {"slack": slack, "translate": translate, "github": github}


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["slug"] for c in response.json()["results"]]


def test_search_by_part_of_a_name_puts_name_matches_first(api, catalogue):
    # "sla" is also in "translates": it is found, but after the name that starts with it.
    assert _slugs(api.get(LIST, {"search": "sla"})) == ["slack", "translate"]
    assert _slugs(api.get(LIST, {"search": "SLA", "ordering": "-popularity,name"})) == [
        "slack",
        "translate",
    ]
    assert _slugs(api.get(LIST, {"search": "pull request"})) == ["github"]
    assert _slugs(api.get(LIST, {"search": "nothing like it"})) == []


def test_category_filter(api, catalogue):
    assert _slugs(api.get(LIST, {"category": "messaging"})) == ["slack"]
    assert _slugs(api.get(LIST, {"category": ["developer", "ml_model"]})) == ["github", "translate"]


def test_popularity_counts_workflows_and_credentials_from_real_rows(
    api, workspace, other_workspace, catalogue
):
    WorkflowFactory(workspace=workspace, graph=_uses("github", "slack"))
    WorkflowFactory(workspace=other_workspace, graph=_uses("github", "github"))  # counted once
    WorkflowFactory(workspace=workspace, graph=_uses("github"), status=Workflow.Status.ARCHIVED)
    WorkflowFactory(workspace=workspace, graph=_uses("translat"))  # a slug prefix is no use
    _credential(workspace, catalogue["github"], "gh")
    _credential(other_workspace, catalogue["github"], "gh")
    _credential(other_workspace, catalogue["slack"], "sl")

    body = api.get(LIST, {"ordering": "-popularity,name"}).json()["results"]
    assert [(c["slug"], c["popularity"]) for c in body] == [
        ("github", 4),
        ("slack", 2),
        ("translate", 0),
    ]
    assert _slugs(api.get(LIST, {"ordering": "name"})) == ["github", "slack", "translate"]
    assert api.get(f"{LIST}github/").json()["popularity"] == 4


def test_connected_is_scoped_to_the_workspace_asked_for(api, workspace, other_workspace, catalogue):
    _credential(workspace, catalogue["slack"], "mine")
    _credential(other_workspace, catalogue["github"], "theirs")

    mine = {
        c["slug"]: c["connected"]
        for c in api.get(LIST, {"workspace": str(workspace.pk)}).json()["results"]
    }
    assert mine == {"slack": True, "github": False, "translate": False}
    # Without a workspace nothing is connected; another workspace's is refused.
    assert not any(c["connected"] for c in api.get(LIST).json()["results"])
    assert api.get(LIST, {"workspace": str(other_workspace.pk)}).status_code in (403, 404)
    assert api.get(LIST, {"workspace": "not-a-uuid"}).status_code == 400
    detail = api.get(f"{LIST}slack/", {"workspace": str(workspace.pk)}).json()
    assert detail["connected"] is True
    assert api.get(f"{LIST}github/", {"workspace": str(workspace.pk)}).json()["connected"] is False


def test_operations_are_paged_and_searchable(api, catalogue):
    slack = catalogue["slack"]
    OperationFactory(
        connector=slack, key="chat_postMessage", name="Send a message", path="/chat.postMessage"
    )
    OperationFactory(connector=slack, key="zz_hidden", enabled=False)
    page = api.get(f"{LIST}slack/operations/", {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    keys = [op["key"] for op in page["results"]]
    assert keys == sorted(keys)
    found = api.get(f"{LIST}slack/operations/", {"search": "message"}).json()["results"]
    assert [op["key"] for op in found] == ["chat_postMessage"]
    assert set(found[0]) >= {"name", "method", "path", "description", "parameters_schema"}
    assert api.get(f"{LIST}nope/operations/").status_code == 404
    Connector.objects.filter(slug="slack").update(enabled=False)
    assert api.get(f"{LIST}slack/operations/").status_code == 404


def test_one_operation_by_key_carries_its_schemas(api, catalogue):
    schema = {
        "type": "object",
        "required": ["channel"],
        "properties": {"channel": {"type": "string", "x-in": "query"}},
    }
    slack = catalogue["slack"]
    OperationFactory(connector=slack, key="chat.postMessage", parameters_schema=schema)
    OperationFactory(connector=slack, key="zz_hidden", enabled=False)
    OperationFactory(connector=slack, key="conversations/list")  # imported keys may hold a /
    found = api.get(f"{LIST}slack/operations/chat.postMessage/")
    assert found.status_code == 200
    assert found.json()["key"] == "chat.postMessage"
    assert found.json()["parameters_schema"] == schema
    assert api.get(f"{LIST}slack/operations/conversations%2Flist/").json()["key"] == (
        "conversations/list"
    )
    assert api.get(f"{LIST}slack/operations/nope/").status_code == 404
    assert api.get(f"{LIST}slack/operations/zz_hidden/").status_code == 404
    assert api.get(f"{LIST}translate/operations/chat.postMessage/").status_code == 404
    Connector.objects.filter(slug="slack").update(enabled=False)
    assert api.get(f"{LIST}slack/operations/chat.postMessage/").status_code == 404


def test_list_query_count_is_flat_with_usage(api, workspace, catalogue):
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(
                LIST, {"workspace": str(workspace.pk), "ordering": "-popularity,name"}
            )
            assert response.status_code == 200
        return len(queries)

    measure()  # the first request of a token also records its use
    before = measure()
    for i in range(15):
        connector = ConnectorFactory()
        OperationFactory.create_batch(2, connector=connector)
        WorkflowFactory(workspace=workspace, graph=_uses(connector.slug))
        _credential(workspace, connector, f"c{i}")
    assert measure() == before
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"{LIST}slack/operations/").status_code == 200
    assert len(queries) <= 6  # auth, the connector, count, page


def test_popularity_containment_has_its_index():
    # Without it each connector's count scans every graph (seconds at a few thousand workflows).
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["workflow_graph_path_ops"]
        )
        (definition,) = cursor.fetchone()
    assert "gin (graph jsonb_path_ops)" in definition
