"""Services: route-map import, routes from the catalogue, persisted vectors reused across
router builds (no re-encoding of an unchanged catalogue), rebuild on change."""

from __future__ import annotations

import numpy as np
import pytest

from apps.connectors.models import Connector, ConnectorOperation
from apps.routing import selectors, services
from apps.routing.exceptions import InvalidRouteMap
from apps.routing.models import RouteMap, UtteranceVector
from apps.routing.params import DEFAULT_PARAMS
from apps.routing.tests.factories import CALENDAR_MAP

pytestmark = pytest.mark.django_db


class Counting:
    """Wraps the real encoder and counts the texts it had to encode."""

    def __init__(self, inner):
        self.inner, self.key, self.dim = inner, inner.key, inner.dim
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        return self.inner.encode(texts)


@pytest.fixture
def counting(encoder, monkeypatch):
    counter = Counting(encoder.inner)
    monkeypatch.setattr(encoder, "inner", counter)
    return counter


def test_import_creates_and_replaces_maps(route_maps, user):
    assert {m.connector for m in route_maps} == {"google-calendar", "slack", "github"}
    changed = {**CALENDAR_MAP, "routes": CALENDAR_MAP["routes"][:1]}
    services.route_map_import(data=changed, source="again", user=user)
    stored = RouteMap.objects.get(connector="google-calendar")
    assert stored.route_count == 1 and stored.source == "again" and stored.imported_by == user
    assert RouteMap.objects.count() == 3


def test_invalid_map_is_an_application_error_with_fields(db):
    with pytest.raises(InvalidRouteMap) as info:
        services.route_map_import(data={"connector": "x", "routes": [{"tool": "t"}]})
    assert "routes[0]" in info.value.fields
    assert not RouteMap.objects.exists()


def test_vectors_are_persisted_and_an_unchanged_router_encodes_nothing(route_maps, counting):
    router = services.router_get()
    first = counting.texts
    assert first == len(router.index.utterances) + len(router.index.connector_vectors)
    assert UtteranceVector.objects.count() == first
    services.router_reset()  # a new process: nothing in memory
    again = services.router_get()
    assert counting.texts == first  # every vector came from the database
    assert np.array_equal(again.index.utterance_vectors, router.index.utterance_vectors)


def test_only_changed_utterances_are_encoded(route_maps, counting):
    services.router_get()
    before = counting.texts
    edited = {
        **CALENDAR_MAP,
        "routes": [
            {
                **CALENDAR_MAP["routes"][0],
                "utterances": [
                    *CALENDAR_MAP["routes"][0]["utterances"],
                    "pencil in a dentist visit",
                ],
            },
            *CALENDAR_MAP["routes"][1:],
        ],
    }
    services.route_map_import(data=edited)
    services.routing_changed()  # on_commit does not run inside the test transaction
    router = services.router_get()
    assert counting.texts == before + 1
    assert "pencil in a dentist visit" in router.index.utterances


def test_catalogue_operations_become_routes(db, encoder):
    connector = Connector.objects.create(
        slug="acme-crm",
        name="Acme CRM",
        description="Customers and deals. Long text.",
        utterances=["acme crm"],
        route_threshold=0.5,
        tool_role="CRM clerk",
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="contacts.create",
        name="Create a contact",
        method="POST",
        path="/contacts",
        description="Adds a new contact to the address book.",
        utterances=["add a customer"],
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="contacts.delete",
        name="Delete a contact",
        method="DELETE",
        path="/contacts/{id}",
        enabled=False,
    )
    routes, infos, methods = selectors.catalog_routes()
    [route] = [r for r in routes if r.connector == "acme-crm"]
    assert route.tool == "contacts.create"
    assert route.utterances == (
        "add a customer",
        "Create a contact",
        "Adds a new contact to the address book.",
    )
    assert infos["acme-crm"].threshold == 0.5 and methods["acme-crm/contacts.create"] == "POST"
    decision = services.route_query(query="add a new customer to acme", connector="acme-crm")
    assert decision.operation == "contacts.create"


def test_route_maps_override_catalogue_routes_of_the_same_name(db, encoder):
    connector = Connector.objects.create(slug="acme", name="Acme")
    ConnectorOperation.objects.create(
        connector=connector, key="ping", name="Ping", method="GET", path="/ping"
    )
    services.route_map_import(
        data={
            "connector": "acme",
            "routes": [
                {"tool": "ping", "name": "ping", "utterances": ["is acme alive"], "threshold": 0.2}
            ],
        }
    )
    routes, _, _ = selectors.routing_sources()
    [route] = [r for r in routes if r.connector == "acme"]
    assert route.utterances == ("is acme alive",) and route.threshold == 0.2


def test_catalogue_edits_rebuild_the_router(db, encoder, django_capture_on_commit_callbacks):
    connector = Connector.objects.create(slug="acme", name="Acme")
    with django_capture_on_commit_callbacks(execute=True):
        ConnectorOperation.objects.create(
            connector=connector, key="ping", name="Ping service", method="GET", path="/ping"
        )
    assert len(services.router_get().index) == 1
    with django_capture_on_commit_callbacks(execute=True):
        ConnectorOperation.objects.create(
            connector=connector, key="pong", name="Pong", method="GET", path="/pong"
        )
    assert len(services.router_get().index) == 2  # the signal bumped the shared version


def test_a_stored_fit_replaces_the_default_params(route_maps):
    assert (
        services.router_get().params is DEFAULT_PARAMS
        or services.router_get().params.source == "default"
    )
    params = DEFAULT_PARAMS.__class__(weights=DEFAULT_PARAMS.weights, threshold=0.55, source="fit")
    services.router_fit_record(params=params, summary={}, dataset="t")
    services.routing_changed()
    assert services.router_get().params.threshold == 0.55


def test_route_map_delete(route_maps):
    assert services.route_map_delete(connector="slack")
    assert not services.route_map_delete(connector="slack")
    assert not RouteMap.objects.filter(connector="slack").exists()


def test_warm_start_defers_a_big_encode_to_one_task(route_maps, settings, counting):
    from django.core.cache import cache

    settings.ROUTING_MAX_INLINE_ENCODE = 2
    cache.delete("routing:prepare-queued")
    services.router_warm()  # 23 texts lack vectors: the start does not encode them
    assert counting.texts == 0 and cache.get("routing:prepare-queued") == 1
    settings.ROUTING_MAX_INLINE_ENCODE = 1000
    services.router_warm()
    assert counting.texts > 0 and services.router_get().route("post in slack").route
