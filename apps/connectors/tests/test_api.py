"""The read-only catalogue API: list (search, category filter), detail, categories."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.connectors import services
from apps.connectors.models import Connector
from apps.connectors.tests.documents import PETS_V3_YAML
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/connectors/"


@pytest.fixture
def catalogue():
    pets = services.connector_import_document(
        data=PETS_V3_YAML, source="t", slug="pets", category="productivity"
    ).connector
    pets.operations.filter(key="deletePet").update(enabled=False)
    mail = ConnectorFactory(
        slug="mailer", name="Mailer", category="messaging", description="Send email."
    )
    OperationFactory.create_batch(2, connector=mail)
    ConnectorFactory(slug="hidden", name="Hidden", category="messaging", enabled=False)
    return pets


@pytest.fixture
def staff_api() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))
    return client


def test_list_shows_enabled_connectors_to_members(api, catalogue):
    response = api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["slug"] for c in body["results"]] == ["mailer", "pets"]
    pets = body["results"][1]
    assert pets == {
        "slug": "pets",
        "name": "Pet Clinic API",
        "category": "productivity",
        "category_label": "Productivity",
        "icon": "https://example.com/logo.png",
        "description": pets["description"],
        "docs_url": "https://docs.example.com/pets",
        "version": "2024-05-01",
        "enabled": True,
        "auth_kinds": ["api_key", "http_basic", "http_bearer", "oauth2"],
        "operations_count": 5,  # the disabled one is not counted for members
        "popularity": 0,
        "connected": False,
    }


def test_staff_see_disabled_connectors_and_operations(staff_api, catalogue):
    slugs = [c["slug"] for c in staff_api.get(LIST).json()["results"]]
    assert slugs == ["hidden", "mailer", "pets"]
    detail = staff_api.get(f"{LIST}pets/").json()
    assert detail["operations_count"] == 6
    assert staff_api.get(f"{LIST}hidden/").status_code == 200


def test_search_and_category_filter(api, catalogue):
    assert [c["slug"] for c in api.get(LIST, {"search": "email"}).json()["results"]] == ["mailer"]
    assert [c["slug"] for c in api.get(LIST, {"category": "productivity"}).json()["results"]] == [
        "pets"
    ]
    both = api.get(LIST, {"category": ["productivity", "messaging"]}).json()
    assert both["count"] == 2
    bad = api.get(LIST, {"category": "nope"})
    assert bad.status_code == 400
    assert bad.json()["type"] == "validation_error" and "category" in bad.json()["fields"]


def test_detail_has_operations_and_no_internal_fields(api, catalogue):
    response = api.get(f"{LIST}pets/")
    assert response.status_code == 200
    body = response.json()
    assert body["base_url"] == "https://eu.pets.example.com/v1"
    assert body["health_check_operation"] == "getMe"
    assert body["operations_count"] == 5
    keys = [op["key"] for op in body["operations"]]
    assert keys == sorted(keys) and "deletePet" not in keys
    op = next(op for op in body["operations"] if op["key"] == "listPets")
    assert set(op) == {
        "key",
        "name",
        "method",
        "path",
        "description",
        "parameters_schema",
        "body_schema",
        "body_content_type",
        "response_schema",
        "utterances",
        "tags",
        "deprecated",
        "enabled",
    }
    assert op["parameters_schema"]["properties"]["limit"]["x-in"] == "query"
    for internal in ("locally_edited", "import_digest", "id"):
        assert internal not in body
    oauth = next(s for s in body["auth_schemes"] if s["kind"] == "oauth2")
    assert set(oauth) == {"key", "kind", "description", "flows"}


def test_hidden_and_unknown_connectors_answer_404(api, catalogue):
    for slug in ("hidden", "nope"):
        response = api.get(f"{LIST}{slug}/")
        assert response.status_code == 404
        assert response.json()["type"] == "not_found"


def test_categories_with_counts(api, catalogue):
    response = api.get(f"{LIST}categories/")
    assert response.status_code == 200
    categories = {c["value"]: c for c in response.json()}
    assert list(categories) == Connector.Category.values
    assert categories["messaging"] == {"value": "messaging", "label": "Messaging", "count": 1}
    assert categories["productivity"]["count"] == 1
    assert categories["database"]["count"] == 0


def test_anonymous_callers_are_refused(catalogue):
    client = APIClient()
    for url in (LIST, f"{LIST}pets/", f"{LIST}categories/"):
        assert client.get(url).status_code in (401, 403)


def test_list_and_detail_query_counts_do_not_grow(api, catalogue):
    for _ in range(10):
        OperationFactory.create_batch(3, connector=ConnectorFactory())
    with CaptureQueriesContext(connection) as list_queries:
        assert api.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as detail_queries:
        assert api.get(f"{LIST}pets/").status_code == 200
    # auth (token + user), count, page; detail: auth, connector, operations
    assert len(list_queries) <= 5
    assert len(detail_queries) <= 5
