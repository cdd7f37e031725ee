"""Routing API: shapes, validation errors in the one error shape, permissions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.routing import services
from apps.routing.tests.factories import LABELLED, SLACK_MAP
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_api(db) -> APIClient:
    staff = UserFactory(is_staff=True)
    _, token = api_token_create(user=staff, name="ops")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_route_answers_the_calendar_story(api, route_maps):
    response = api.post(
        "/api/v1/routing/route",
        {"query": "put a meeting with Ana on my calendar tomorrow", "top_k": 3},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["connector"] == "google-calendar" and body["operation"] == "calendar.events.insert"
    assert body["route"] == "create_event" and body["confidence"] >= body["threshold"]
    assert len(body["alternatives"]) == 2 and body["reasoning"]
    assert set(body["alternatives"][0]) == {
        "route",
        "connector",
        "operation",
        "score",
        "similarity",
    }


def test_route_answers_no_route_for_mars(api, route_maps):
    body = api.post(
        "/api/v1/routing/route", {"query": "what's the weather like on Mars"}, format="json"
    ).json()
    assert body["route"] is None and body["operation"] is None
    assert body["confidence"] < body["threshold"] and body["alternatives"]


def test_route_can_be_limited_to_a_connector(api, route_maps):
    body = api.post(
        "/api/v1/routing/route", {"query": "list everything", "connector": "github"}, format="json"
    ).json()
    assert all(a["connector"] == "github" for a in body["alternatives"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "query"),
        ({"query": ""}, "query"),
        ({"query": "x", "top_k": 0}, "top_k"),
        ({"query": "x", "colour": "red"}, "colour"),
        ({"query": "x", "connector": "a b"}, "connector"),
    ],
)
def test_route_validation_errors_have_the_one_shape(api, payload, field):
    response = api.post("/api/v1/routing/route", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and field in body["fields"]


def test_routing_requires_authentication(client):
    assert client.post(
        "/api/v1/routing/route", {"query": "x"}, content_type="application/json"
    ).status_code in (401, 403)


def test_route_maps_list_and_retrieve(api, route_maps):
    listing = api.get("/api/v1/routing/route-maps/").json()
    assert listing["count"] == 3
    assert {"connector", "name", "routes", "content_hash"} <= set(listing["results"][0])
    detail = api.get("/api/v1/routing/route-maps/slack/").json()
    assert detail["connector"] == "slack" and detail["routes"][0]["tool"] == "chat.postMessage"
    assert api.get("/api/v1/routing/route-maps/nope/").status_code == 404


def test_only_operators_import_and_delete(api, operator_api, encoder):
    assert api.post("/api/v1/routing/route-maps/", SLACK_MAP, format="json").status_code == 403
    created = operator_api.post("/api/v1/routing/route-maps/", [SLACK_MAP], format="json")
    assert created.status_code == 201
    assert created.json()["imported"][0]["routes"] == 2
    assert api.delete("/api/v1/routing/route-maps/slack/").status_code == 403
    assert operator_api.delete("/api/v1/routing/route-maps/slack/").status_code == 204
    assert operator_api.delete("/api/v1/routing/route-maps/slack/").status_code == 404


def test_invalid_route_map_import_names_the_field(operator_api):
    response = operator_api.post(
        "/api/v1/routing/route-maps/",
        {
            "connector": "x",
            "routes": [{"tool": "t", "utterances": ["u"], "modifierFunc": "os.system"}],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "invalid_route_map"
    assert "routes[0].modifierFunc" in body["fields"]


def test_evaluation_summary_and_fit(api, operator_api, route_maps):
    assert api.get("/api/v1/routing/evaluation").json()["evaluation"] is None
    assert api.post("/api/v1/routing/fit", {"examples": LABELLED}, format="json").status_code == 403
    fitted = operator_api.post(
        "/api/v1/routing/fit", {"examples": LABELLED, "target_precision": 0.8}, format="json"
    )
    assert fitted.status_code == 201, fitted.json()
    assert fitted.json()["summary"]["examples"] == 6
    from apps.routing.evaluation import Example, evaluate

    summary = evaluate(
        services.router_get(force=True),
        [Example(e["query"], e["connector"], e["tool"]) for e in LABELLED],
    )
    services.router_evaluation_record(summary=summary, dataset="labelled.json")
    body = api.get("/api/v1/routing/evaluation").json()
    assert body["evaluation"]["top1"] == summary["top1"]
    assert "per_route" not in body["evaluation"]
    assert body["params"]["source"] == "fit"
    # Both global thresholds are stored and served (one without, one with a workspace).
    stored = services.router_get().params
    assert body["params"]["workspace_threshold"] == stored.workspace_threshold
    assert fitted.json()["workspace_threshold"] == stored.workspace_threshold
    assert fitted.json()["threshold"] == stored.threshold
    with_routes = api.get("/api/v1/routing/evaluation?per_route=1").json()
    assert "google-calendar/create_event" in with_routes["evaluation"]["per_route"]


def test_schema_lists_the_routing_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
        "paths"
    ]
    for path in (
        "/api/v1/routing/route",
        "/api/v1/routing/route-maps/",
        "/api/v1/routing/evaluation",
        "/api/v1/routing/fit",
    ):
        assert path in paths


def test_a_freshly_loaded_catalogue_answers_503_and_queues_the_encoding(api, settings, db, encoder):
    from django.core.cache import cache

    from apps.routing.tasks import prepare_vectors_task

    settings.ROUTING_MAX_INLINE_ENCODE = 3
    cache.delete("routing:prepare-queued")
    services.route_map_import(data=SLACK_MAP)
    response = api.post("/api/v1/routing/route", {"query": "post in slack"}, format="json")
    assert response.status_code == 503
    assert response.json()["type"] == "router_unavailable"
    assert cache.get("routing:prepare-queued") == 1  # one task queued, not one per request
    prepare_vectors_task()  # what the routing worker runs
    assert cache.get("routing:prepare-queued") is None
    services.router_reset()
    ok = api.post("/api/v1/routing/route", {"query": "post in slack"}, format="json")
    assert ok.status_code == 200 and ok.json()["connector"] == "slack"
