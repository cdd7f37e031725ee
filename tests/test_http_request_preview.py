"""POST /api/v1/blocks/http_request/preview-request/: the request an HTTP node will send,
compared with what a run of the same node really sends to a local server."""

from __future__ import annotations

import base64
import json

import pytest

from apps.connectors.outbound.testing import LocalServer, Reply, StubResolver
from apps.credentials.services import credential_create, outbound_http
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.run import execution_run
from apps.workflows.services import execution_create
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/blocks/http_request/preview-request/"
API_KEY = "ak-live-5f1d2c3b4a"
PASSWORD = "pw-9e8d7c6b5a"
TOKEN = "tok-0a1b2c3d4e5f"


@pytest.fixture
def dns(settings, monkeypatch):
    """No network here: the names these tests use resolve through a stub (to a public
    address, which the preview never connects to), on a client of their own."""
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1:1"]
    resolver = StubResolver({"api.example.com": ["93.184.215.14"], "rebound.test": ["10.1.2.3"]})
    monkeypatch.setattr(outbound_http().policy, "resolver", resolver)
    return resolver


def preview(client, workspace, config, data=None, **extra):
    body = {"workspace": str(workspace.pk), "config": config, **extra}
    if data is not None:
        body["data"] = data
    return client.post(URL, body, format="json")


def credential(workspace, user, kind, config, secret):
    return credential_create(
        workspace=workspace, actor=user, name=kind, kind=kind, config=config, secret=secret
    )


def run_node(workspace, config, trigger_input):
    """Run a manual trigger and this http_request node; the node's step."""
    graph = {
        "nodes": [
            {"id": "start", "type": "manual_trigger", "position": {"x": 0, "y": 0}},
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 240, "y": 0},
                "data": {"config": config},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "call"}],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    execution = execution_create(
        workflow=workflow, mode=Execution.Mode.TEST, draft=True, input=trigger_input
    )
    execution_run(execution_id=execution.pk)
    return ExecutionStep.objects.get(execution=execution, node_id="call")


@pytest.mark.django_db(transaction=True)  # steps run in threads with their own connections
def test_the_preview_is_what_a_run_sends_with_the_credential_masked(api, workspace, user, settings):
    key = credential(
        workspace,
        user,
        "api_key",
        {"location": "header", "name": "X-Partner", "prefix": "Key "},
        {"api_key": API_KEY},
    )
    with LocalServer() as server:
        server.route("/items", Reply(200, {"Content-Type": "application/json"}, b"{}"))
        settings.OUTBOUND_ALLOWLIST = [server.netloc]
        config = {
            "method": "POST",
            "url": server.url("/items?fixed=1"),
            "query": {"page": 2, "tag": ["a b", "c"], "skip": None},
            "headers": {"X-Trace": "{{ trigger.id }}"},
            "body_type": "json",
            "body": {"n": "{{ trigger.n }}", "name": "Ada"},
            "credential_id": str(key.pk),
            "idempotency_header": "Idempotency-Key",
        }
        sample = {"trigger": {"id": "t-9", "n": 5}, "nodes": {}, "vars": {}}
        response = preview(api, workspace, config, sample)
        step = run_node(workspace, config, {"id": "t-9", "n": 5})
    assert response.status_code == 200, response.content
    shown = response.json()
    assert step.status == "succeeded", step.error
    sent = server.requests[0]
    assert API_KEY not in response.content.decode()
    assert shown["warnings"] == [] and shown["unresolved"] == []
    assert shown["method"] == sent.method == "POST"
    assert shown["url"] == server.url(sent.path)
    # (the order of `query` is the stored config's: PostgreSQL's jsonb sorts its keys)
    path, _, query = sent.path.partition("?")
    assert path == "/items" and sorted(query.split("&")) == [
        "fixed=1",
        "page=2",
        "tag=a+b",
        "tag=c",
    ]
    assert shown["body"] == sent.body.decode() == json.dumps({"n": 5, "name": "Ada"})
    assert shown["body_bytes"] == len(sent.body)
    headers = {h["name"]: h["value"] for h in shown["headers"]}
    assert headers["X-Partner"] == "Key ••••" and sent.header("X-Partner") == f"Key {API_KEY}"
    assert headers["Idempotency-Key"] == "<the step's idempotency key>"
    for name, value in headers.items():
        if name not in ("X-Partner", "Idempotency-Key"):
            assert sent.header(name) == value, name  # the rest, byte for byte


def test_each_credential_kind_shows_its_scheme_never_its_value(api, workspace, user, dns):
    basic = credential(workspace, user, "basic", {"username": "ann"}, {"password": PASSWORD})
    bearer = credential(workspace, user, "bearer", {}, {"token": TOKEN})
    query_key = credential(
        workspace, user, "api_key", {"location": "query", "name": "key"}, {"api_key": API_KEY}
    )
    seen = {}
    for cred in (basic, bearer, query_key):
        config = {"url": "https://api.example.com/v1/items", "credential_id": str(cred.pk)}
        response = preview(api, workspace, config)
        assert response.status_code == 200, response.content
        seen[cred.kind] = response.json()
        text = response.content.decode()
        pair = base64.b64encode(f"ann:{PASSWORD}".encode()).decode()
        assert all(secret not in text for secret in (PASSWORD, TOKEN, API_KEY, pair))
    auth = {k: {h["name"]: h["value"] for h in v["headers"]} for k, v in seen.items()}
    assert auth["basic"]["Authorization"] == "Basic ••••"
    assert auth["bearer"]["Authorization"] == "Bearer ••••"
    assert seen["api_key"]["url"] == "https://api.example.com/v1/items?key=••••"


def test_secret_looking_headers_and_query_parameters_of_the_graph_are_masked(api, workspace, dns):
    config = {
        "url": "https://api.example.com/search?access_token=typed-123&q=cats",
        "query": {"client_secret": "cs-456", "page": 1},
        "headers": {
            "Authorization": "Bearer typed-secret",
            "X-Api-Key": "k-789",
            "Cookie": "sid=abc",
            "Accept-Language": "de",
        },
    }
    shown = preview(api, workspace, config).json()
    headers = {h["name"]: h["value"] for h in shown["headers"]}
    assert headers["Authorization"] == "Bearer ••••"
    assert headers["X-Api-Key"] == headers["Cookie"] == "••••"
    assert headers["Accept-Language"] == "de"
    base, _, query = shown["url"].partition("?")
    assert base == "https://api.example.com/search"
    assert sorted(query.split("&")) == [
        "access_token=••••",
        "client_secret=••••",
        "page=1",
        "q=cats",
    ]
    text = json.dumps(shown)
    assert all(s not in text for s in ("typed-123", "cs-456", "typed-secret", "k-789", "sid="))


def test_expressions_use_the_sample_and_otherwise_stay_as_text(api, workspace, dns):
    config = {
        "url": "https://api.example.com/users/{{ nodes.lookup.output.id }}?a=1",
        "query": {"page": 2},
        "headers": {"X-Trace": "{{ trigger.trace }}", "X-Bad": "{{ trigger.( }}"},
    }
    bare = preview(api, workspace, config).json()
    assert bare["url"] == "https://api.example.com/users/{{ nodes.lookup.output.id }}?a=1&page=2"
    assert set(bare["unresolved"]) == {
        "config.url",
        "config.headers.X-Trace",
        "config.headers.X-Bad",
    }
    assert bare["warnings"] == []  # a URL shown as text is not an error
    sample = {"trigger": {"trace": "tr-1"}, "nodes": {}, "vars": {}}
    partial = preview(api, workspace, config, sample).json()
    assert partial["unresolved"] == ["config.url", "config.headers.X-Bad"]  # no `lookup` data
    assert {h["name"]: h["value"] for h in partial["headers"]}["X-Trace"] == "tr-1"
    assert len(partial["warnings"]) == 1
    assert partial["warnings"][0].startswith("config.headers.X-Bad: invalid expression")
    sample["nodes"] = {"lookup": {"output": {"id": 42}}}
    full = preview(api, workspace, config, sample).json()
    assert full["url"] == "https://api.example.com/users/42?a=1&page=2"
    assert full["warnings"] == partial["warnings"]
    assert ("api.example.com", 443) in dns.calls  # the destination was checked


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "address", ["127.0.0.1:6379", "169.254.169.254", "10.0.0.5", "rebound.test"]
)
def test_a_private_destination_is_the_warning_a_run_fails_with(api, workspace, dns, address):
    config = {"url": f"http://{address}/latest"}
    shown = preview(api, workspace, config).json()
    step = run_node(workspace, config, {})
    assert step.status == "failed"
    assert shown["warnings"] == [step.error["message"]]
    assert "OUTBOUND_ALLOWLIST" in shown["warnings"][0]


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        ({"method": "GET"}, "config.url", "This field is required."),
        ({"url": "https://api.example.com", "method": "FETCH"}, "config.method", None),
        (
            {"url": "https://api.example.com", "body_type": "form", "body": "x=1"},
            "config.body",
            None,
        ),
        ({"url": "https://api.example.com", "timeout_s": 0}, "config.timeout_s", None),
    ],
)
def test_an_invalid_config_names_the_field(api, workspace, dns, config, field, message):
    response = preview(api, workspace, config)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == [field]
    if message:
        assert fields[field] == [message]


def test_scoped_to_the_workspace(api, workspace, other_workspace, member_api, dns):
    theirs = credential_create(
        workspace=other_workspace,
        actor=None,
        name="theirs",
        kind="bearer",
        config={},
        secret={"token": TOKEN},
    )
    config = {"url": "https://api.example.com", "credential_id": str(theirs.pk)}
    refused = preview(api, workspace, config)
    assert refused.status_code == 400
    assert refused.json()["fields"] == {
        "config.credential_id": ["No credential with this id in the workspace."]
    }
    assert preview(api, other_workspace, {"url": "https://api.example.com"}).status_code in (
        403,
        404,
    )
    viewer = member_api(Role.VIEWER)
    assert preview(viewer, workspace, {"url": "https://api.example.com"}).status_code == 200
    unknown = preview(api, workspace, {"url": "https://api.example.com"}, extra=1)
    assert unknown.json()["fields"] == {"extra": ["Unknown field."]}
