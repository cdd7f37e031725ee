"""manage.py import_openapi and load_catalog."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from apps.connectors.models import Connector
from apps.connectors.openapi import load_document, parse_document
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.documents import PETS_V3_YAML, SWAGGER2_JSON

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_openapi_from_a_file_then_again(tmp_path):
    path = tmp_path / "pets.yaml"
    path.write_text(PETS_V3_YAML)
    assert "pets: created; operations +6 ~0 -0" in run(
        "import_openapi", str(path), "--slug", "pets", "--category", "crm"
    )
    connector = Connector.objects.get(slug="pets")
    assert connector.category == "crm" and connector.source == "file:pets.yaml"
    assert "pets: unchanged" in run("import_openapi", str(path), "--slug", "pets")
    Connector.objects.filter(slug="pets").update(name="Mine", locally_edited=["name"])
    output = run("import_openapi", str(path), "--slug", "pets", "--force")
    assert "kept local edit: name" in output
    assert Connector.objects.get(slug="pets").name == "Mine"


def test_import_openapi_limits_operations(tmp_path):
    path = tmp_path / "store.json"
    path.write_text(SWAGGER2_JSON)
    run("import_openapi", str(path), "--max-operations", "2", "--name", "Store")
    connector = Connector.objects.get()
    assert connector.slug == "legacy-store" and connector.name == "Store"
    assert connector.operations.count() == 2


def test_import_openapi_from_a_url():
    with LocalServer() as server:
        server.route("/openapi.json", Reply(200, body=SWAGGER2_JSON.encode()))
        with override_settings(OUTBOUND_ALLOWLIST=[server.netloc]):
            run("import_openapi", server.url("/openapi.json"), "--slug", "store")
    assert Connector.objects.get(slug="store").source == server.url("/openapi.json")


def test_import_openapi_errors(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import_openapi", str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.0\n")
    with pytest.raises(CommandError, match="no 'paths'"):
        run("import_openapi", str(bad))
    with pytest.raises(CommandError, match="Could not fetch"):
        run("import_openapi", "http://127.0.0.1:9/openapi.json")  # loopback: refused


def test_load_catalog_only_and_force(tmp_path):
    spec = parse_document(load_document(PETS_V3_YAML)).to_dict()
    path = tmp_path / "catalog.json.gz"
    with gzip.open(path, "wt") as handle:
        json.dump(
            {
                "format": 1,
                "source": {"package": "p", "version": "1"},
                "connectors": [
                    {"slug": "a", "category": "api", "spec": spec},
                    {"slug": "b", "category": "crm", "spec": spec},
                ],
            },
            handle,
        )
    assert "1 created, 0 updated, 0 unchanged" in run(
        "load_catalog", "--path", str(path), "--only", "b"
    )
    assert list(Connector.objects.values_list("slug", flat=True)) == ["b"]
    assert "1 created, 0 updated, 1 unchanged" in run("load_catalog", "--path", str(path))
    assert "0 created, 2 updated, 0 unchanged" in run(
        "load_catalog", "--path", str(path), "--force"
    )


def test_load_catalog_reports_a_bad_file(tmp_path):
    with pytest.raises(CommandError, match="No catalogue"):
        run("load_catalog", "--path", str(tmp_path / "none.json.gz"))
    broken = tmp_path / "broken.json.gz"
    with gzip.open(broken, "wt") as handle:
        json.dump({"format": 99}, handle)
    with pytest.raises(CommandError, match="unknown format"):
        run("load_catalog", "--path", str(broken))
