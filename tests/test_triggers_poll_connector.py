"""Polling a catalogue operation (and an HTTP URL) with a stored credential, against real HTTP
servers on 127.0.0.1 (allow-listed for these tests only): the request the catalogue builds,
the credential the store injects, the OAuth refresh on a 401, and publish-time field errors."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.core.exceptions import InvalidInput
from apps.credentials import services as credentials
from apps.credentials.tests.oauth_server import OAuthProvider
from apps.triggers.models import Trigger
from apps.triggers.polling import outbound_client, poll_run
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution

pytestmark = pytest.mark.django_db

TOKEN = "tok-8c1d2e3f4a5b6c7d"  # the bearer token the source requires
NODE = "graph.nodes[start].data.config"


class Desk:
    """A helpdesk API: ``GET /v1/tickets?status=&since=`` answers only with the bearer token,
    and (like a careless API) echoes the Authorization header it got in every ticket."""

    def __init__(self) -> None:
        self.tickets: list[dict] = []
        self.seen: list[Recorded] = []

    def handle(self, recorded: Recorded) -> Reply:
        self.seen.append(recorded)
        auth = recorded.header("Authorization") or recorded.header("X-Api-Key") or ""
        if TOKEN not in auth:
            return Reply(401, {"Content-Type": "application/json"}, b'{"error": "unauthorized"}')
        query = {k: v[0] for k, v in parse_qs(urlsplit(recorded.path).query).items()}
        tickets = [
            {**t, "echo": auth}
            for t in self.tickets
            if t["status"] == query.get("status", t["status"])
            and t["updated_at"] >= query.get("since", "")
        ]
        return Reply(
            200, {"Content-Type": "application/json"}, json.dumps({"tickets": tickets}).encode()
        )


@pytest.fixture
def desk(settings):
    state = Desk()
    with LocalServer().route("/v1/tickets", state.handle) as server:
        settings.OUTBOUND_ALLOWLIST = [server.netloc]
        outbound_client.cache_clear()
        state.url = server.url("/v1/tickets")
        state.connector = Connector.objects.create(
            slug="desk",
            name="Desk",
            base_url=server.url(""),
            auth_schemes=[{"key": "bearer", "kind": "http_bearer", "scheme": "bearer"}],
        )
        ConnectorOperation.objects.create(
            connector=state.connector,
            key="tickets.list",
            name="List tickets",
            method="GET",
            path="/v1/tickets",
            parameters_schema={
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["open", "closed"], "x-in": "query"},
                    "since": {"type": "string", "x-in": "query"},
                },
                "additionalProperties": False,
            },
        )
        ConnectorOperation.objects.create(
            connector=state.connector,
            key="tickets.create",
            name="Create a ticket",
            method="POST",
            path="/v1/tickets",
        )
        yield state
    outbound_client.cache_clear()


def ticket(n: int, status: str = "open") -> dict:
    return {"id": f"t{n}", "status": status, "updated_at": f"2026-06-0{n}T10:00:00Z"}


def bearer(workspace, user, connector=None, name="Desk token"):
    return credentials.credential_create(
        workspace=workspace,
        actor=user,
        name=name,
        kind="bearer",
        secret={"token": TOKEN},
        connector=connector,
    )


def poller(workspace, user, source, **config) -> Trigger:
    config = {"source": source, "items_path": "tickets", "interval_s": 60, **config}
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="poll_trigger", config=config
    )
    return Trigger.objects.get(workflow=workflow)


def desk_source(desk, credential, **overrides) -> dict:
    return {
        "kind": "connector",
        "connector": "desk",
        "operation": "tickets.list",
        "arguments": {"status": "open"},
        "credential_id": str(credential.pk),
        **overrides,
    }


def test_a_catalogue_operation_is_polled_with_the_stored_credential(workspace, user, desk):
    credential = bearer(workspace, user, desk.connector)
    desk.tickets = [ticket(1)]
    trigger = poller(
        workspace,
        user,
        desk_source(desk, credential),
        cursor_path="updated_at",
        cursor_param="since",
    )
    assert poll_run(trigger_id=trigger.pk)["baseline"] == 1
    assert not Execution.objects.filter(trigger=trigger).exists()

    desk.tickets += [ticket(2), ticket(3, status="closed")]
    assert poll_run(trigger_id=trigger.pk)["started"] == 1
    assert poll_run(trigger_id=trigger.pk)["started"] == 0  # nothing new: nothing twice
    execution = Execution.objects.get(trigger=trigger)
    assert execution.input["item"]["id"] == "t2"
    assert execution.input["item"]["echo"] == "Bearer [redacted]"  # the echo is scrubbed

    # The catalogue built the request: the argument and the high-water mark as query params.
    assert desk.seen[-1].path == "/v1/tickets?status=open&since=2026-06-02T10%3A00%3A00Z"
    assert desk.seen[-1].header("Authorization") == f"Bearer {TOKEN}"
    trigger.refresh_from_db()
    row = json.dumps([trigger.config, trigger.cursor, trigger.last_error, trigger.recent_errors])
    records = json.dumps([e.input for e in Execution.objects.filter(trigger=trigger)])
    assert TOKEN not in row and TOKEN not in records
    assert trigger.consecutive_errors == 0


def test_an_http_source_authenticates_with_a_credential_instead_of_headers(workspace, user, desk):
    key = credentials.credential_create(
        workspace=workspace, actor=user, name="Desk key", kind="api_key", secret={"api_key": TOKEN}
    )
    desk.tickets = [ticket(1)]
    trigger = poller(
        workspace, user, {"kind": "http", "url": desk.url, "credential_id": str(key.pk)}
    )
    poll_run(trigger_id=trigger.pk)
    desk.tickets.append(ticket(2))
    assert poll_run(trigger_id=trigger.pk)["started"] == 1
    assert desk.seen[-1].header("X-API-Key") == TOKEN
    execution = Execution.objects.get(trigger=trigger)
    assert execution.input["item"]["id"] == "t2" and TOKEN not in json.dumps(execution.input)
    trigger.refresh_from_db()
    assert TOKEN not in json.dumps(trigger.config)


def test_a_rejected_credential_backs_off_and_the_error_holds_no_secret(workspace, user, desk):
    credential = bearer(workspace, user, desk.connector)
    trigger = poller(workspace, user, desk_source(desk, credential))
    credentials.credential_update(
        credential=credential, actor=user, secret={"token": "wrong-1234567"}
    )
    poll_run(trigger_id=trigger.pk)
    trigger.refresh_from_db()
    assert trigger.consecutive_errors == 1 and "HTTP 401" in trigger.last_error
    assert "wrong-1234567" not in trigger.last_error and trigger.cursor == {}


def refuse(workspace, user, source, **config) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        poller(workspace, user, source, **config)
    return caught.value.fields


def test_publish_names_the_field_that_is_wrong(workspace, user, other_workspace, desk):
    mine = bearer(workspace, user, desk.connector)
    assert f"{NODE}.source.operation" in refuse(
        workspace, user, desk_source(desk, mine, operation="tickets.nope")
    )
    assert f"{NODE}.source.connector" in refuse(
        workspace, user, desk_source(desk, mine, connector="nope")
    )
    posted = refuse(workspace, user, desk_source(desk, mine, operation="tickets.create"))
    assert "GET" in posted[f"{NODE}.source.operation"][0]
    wrong = refuse(workspace, user, desk_source(desk, mine, arguments={"status": "lost"}))
    assert f"{NODE}.source.arguments.status" in wrong
    assert f"{NODE}.cursor_param" in refuse(
        workspace, user, desk_source(desk, mine), cursor_path="updated_at", cursor_param="after"
    )
    # Another workspace's credential is refused when the draft is saved, like any reference.
    theirs = bearer(other_workspace, None, desk.connector)
    assert refuse(workspace, user, desk_source(desk, theirs))[
        "graph.nodes[0].data.config.source.credential_id"
    ] == ["No credential with this id in this workspace."]
    other = Connector.objects.create(slug="other", name="Other", base_url="https://x.test")
    elsewhere = bearer(workspace, user, other, name="Other token")
    assert (
        "not 'desk'"
        in refuse(workspace, user, desk_source(desk, elsewhere))[f"{NODE}.source.credential_id"][0]
    )
    assert f"{NODE}.source.credential_id" in refuse(
        workspace, user, desk_source(desk, mine, credential_id=None)
    )  # the connector declares an auth scheme
    assert not Trigger.objects.exists()


def test_an_expired_oauth_token_is_refreshed_during_a_poll(api, user, workspace, settings):
    from tests.test_credentials_oauth import CLIENT_SECRET, REDIRECT, _connect

    with OAuthProvider() as provider:
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{provider.port}"]
        outbound_client.cache_clear()
        provider.add_client(
            client_id="flowplane", client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT]
        )
        credential, _, _ = _connect(api, user, workspace, provider)
        connector = Connector.objects.create(
            slug="provider", name="Provider", base_url=provider.url("")
        )
        ConnectorOperation.objects.create(
            connector=connector, key="me", name="Me", method="GET", path="/api/me"
        )
        source = {
            "kind": "connector",
            "connector": "provider",
            "operation": "me",
            "credential_id": str(credential.pk),
        }
        trigger = poller(workspace, user, source, items_path="[@]", id_path="user")
        assert poll_run(trigger_id=trigger.pk)["baseline"] == 1
        old = credentials.secret_open(credential)["access_token"]
        provider.token(old).expires_in = 0  # the provider now answers 401 for it

        assert poll_run(trigger_id=trigger.pk)["started"] == 0
        trigger.refresh_from_db()
        assert trigger.consecutive_errors == 0, trigger.last_error
        assert provider.grants_issued("refresh_token") == 1
        assert provider.api_tokens[-1] == provider.tokens[-1].access_token != old
    outbound_client.cache_clear()


def test_paths_are_proposed_from_a_sample_of_the_source(
    api, member_api, workspace, user, other_workspace, desk
):
    credential = bearer(workspace, user, desk.connector)
    desk.tickets = [ticket(1), ticket(2)]
    body = {"workspace": str(workspace.pk), "source": desk_source(desk, credential)}
    response = api.post("/api/v1/triggers/poll-defaults/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "items_path": "tickets",
        "id_path": "id",
        "cursor_path": "updated_at",
        "items_found": 2,
    }
    assert TOKEN not in response.content.decode()
    assert desk.seen[-1].header("Authorization") == f"Bearer {TOKEN}"

    unknown = {**body, "source": desk_source(desk, credential, operation="tickets.nope")}
    refused = api.post("/api/v1/triggers/poll-defaults/", unknown, format="json")
    assert refused.status_code == 400 and "source.operation" in refused.json()["fields"]
    assert (
        member_api("viewer")
        .post("/api/v1/triggers/poll-defaults/", body, format="json")
        .status_code
        == 403
    )  # it calls out with the workspace's credentials: editors only
    elsewhere = {**body, "workspace": str(other_workspace.pk)}
    assert api.post("/api/v1/triggers/poll-defaults/", elsewhere, format="json").status_code == 404
    assert len(desk.seen) == 1


def declared_page(updated_at: dict) -> dict:
    """A response schema as the importer stores it: the tickets beside a page token."""
    ticket_schema = {
        "allOf": [
            {"type": "object", "properties": {"id": {"type": "string"}}},
            {"properties": {"status": {"type": "string"}, "updated_at": updated_at}},
        ]
    }
    return {
        "type": "object",
        "properties": {
            "next_cursor": {"type": ["string", "null"]},
            "tickets": {"type": "array", "items": ticket_schema},
        },
    }


def test_paths_come_from_the_operations_response_schema_where_it_has_one(
    api, workspace, user, desk
):
    credential = bearer(workspace, user, desk.connector)
    declared = declared_page({"type": "string", "format": "date-time"})
    ConnectorOperation.objects.filter(connector=desk.connector, key="tickets.list").update(
        response_schema=declared
    )
    listed = api.get("/api/v1/connectors/desk/operations/").json()["results"]
    assert next(op for op in listed if op["key"] == "tickets.list")["response_schema"] == declared

    # No ticket yet: the sample shows nothing, the declared schema all three paths. The page
    # token is not the cursor: the poll reads the cursor on each item.
    desk.tickets = []
    body = {"workspace": str(workspace.pk), "source": desk_source(desk, credential)}
    response = api.post("/api/v1/triggers/poll-defaults/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "items_path": "tickets",
        "id_path": "id",
        "cursor_path": "updated_at",
        "items_found": 0,
    }

    # What the declared schema leaves open (a timestamp it does not call one) the sample fills.
    ConnectorOperation.objects.filter(connector=desk.connector, key="tickets.list").update(
        response_schema=declared_page({"type": "string"})
    )
    desk.tickets = [ticket(1), ticket(2)]
    response = api.post("/api/v1/triggers/poll-defaults/", body, format="json")
    assert response.json() == {
        "items_path": "tickets",
        "id_path": "id",
        "cursor_path": "updated_at",
        "items_found": 2,
    }

    # Without a declared schema an empty sample proposes nothing (as before).
    ConnectorOperation.objects.filter(connector=desk.connector, key="tickets.list").update(
        response_schema=None
    )
    desk.tickets = []
    response = api.post("/api/v1/triggers/poll-defaults/", body, format="json")
    assert response.json() == {
        "items_path": None,
        "id_path": None,
        "cursor_path": None,
        "items_found": 0,
    }
