"""The routing management commands on real files: import, export, evaluate, fit."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.routing import services
from apps.routing.models import RouteMap, RouterEvaluation, RouterFit
from apps.routing.tests.factories import ALL_MAPS, LABELLED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolation():
    services.router_reset()
    yield
    services.router_reset()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_export_round_trip(tmp_path):
    source = tmp_path / "maps.json.gz"
    source.write_bytes(gzip.compress(json.dumps(ALL_MAPS).encode()))
    printed = run("import_routes", str(source), "--warm")
    assert "3 route map(s), 7 routes" in printed and "router ready: 7 routes" in printed
    exported = tmp_path / "out.json"
    run("export_routes", "-o", str(exported))
    again = json.loads(exported.read_text())
    assert [m["connector"] for m in again] == ["github", "google-calendar", "slack"]
    RouteMap.objects.all().delete()
    run("import_routes", str(exported))
    assert {m.connector: m.data for m in RouteMap.objects.all()} == {
        m["connector"]: m for m in again
    }
    single = json.loads(run("export_routes", "--connector", "slack"))
    assert (
        single["connector"] == "slack" and single["routes"][0]["modifierFunc"] == "extract_mentions"
    )


def test_import_refuses_an_invalid_file_with_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"connector": "x", "routes": [{"tool": "t", "utterances": []}]}))
    with pytest.raises(CommandError, match=r"routes\[0\]\.utterances"):
        run("import_routes", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        run("import_routes", str(tmp_path / "missing.json"))


def test_evaluate_router_prints_the_figures_and_records_them(tmp_path, route_maps_loaded):
    labelled = tmp_path / "labelled.json"
    labelled.write_text(json.dumps({"examples": LABELLED}))
    printed = run("evaluate_router", str(labelled))
    for line in (
        "top-1 accuracy",
        "top-5 accuracy",
        "connector accuracy",
        "precision answered",
        "coverage",
        "latency",
        "per route",
    ):
        assert line in printed
    assert "top-1 accuracy      100.0%" in printed
    assert "google-calendar/create_event" in printed
    summary = RouterEvaluation.objects.get().summary
    assert summary["examples"] == 6 and summary["no_route_examples"] == 1
    assert summary["no_route_answered"] == 0.0


def test_fit_router_stores_a_fit_the_router_uses(tmp_path, route_maps_loaded):
    labelled = tmp_path / "labelled.json"
    labelled.write_text(json.dumps(LABELLED))
    printed = run("fit_router", str(labelled), "--thresholds-only", "--target-precision", "0.8")
    assert '"threshold"' in printed and RouterFit.objects.count() == 1
    services.routing_changed()
    assert services.router_get().params.source == "fit"


@pytest.fixture
def route_maps_loaded(db):
    from apps.routing.encoders import get_encoder

    get_encoder()
    services.route_map_import(data=ALL_MAPS)
