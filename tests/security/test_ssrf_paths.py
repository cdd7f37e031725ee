"""SSRF through every outbound path of the platform (issue 11, tests/security).

Each path is driven through its real entry point (the test-node API for blocks, the MCP
client block's SDK client included; the connection-test API, a poll, an OAuth token refresh,
the OpenAPI import, the router's LLM and embeddings clients) with loopback, private,
link-local and metadata addresses in every spelling and with a redirect to them. A real
server listens on 127.0.0.1 as the target and must never be contacted; each attempt must fail
as *blocked* (refused before connecting).

The control: the same path with a URL the allow-list opens (a second local server, the only
allow-listed ``127.0.0.1:<port>``) does reach it, so a path that stopped calling out at all
would fail here instead of passing.

Not here: OAuth authorization URLs are never fetched by the server (the browser is sent
there); the OAuth code exchange uses the same client as the refresh below
(``apps.credentials.services.outbound_http``); ``send_email`` speaks SMTP and resolves its
host through the same policy (``tests/test_no_direct_http.py`` lists it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings

from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.services import openapi_fetch
from apps.credentials.services import credential_create, oauth_secret_current
from apps.routing.encoders.remote import OpenAIEmbeddingsEncoder
from apps.routing.llm import ChatClient
from apps.triggers.models import Trigger
from apps.triggers.polling import outbound_client as polling_client
from apps.triggers.polling import poll_run
from apps.triggers.tests.factories import published_workflow
from apps.workflows.tests.factories import WorkflowFactory

# Blocks run in engine threads with their own database connections: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

# {p}: the port of the server that must never be contacted; {ok}: the allow-listed one.
FORBIDDEN = {
    "loopback": "http://127.0.0.1:{p}/x",
    "localhost": "http://localhost:{p}/x",
    "decimal": "http://2130706433:{p}/x",
    "hex": "http://0x7f000001:{p}/x",
    "octal": "http://0177.0.0.1:{p}/x",
    "short": "http://127.1:{p}/x",
    "ipv6-loopback": "http://[::1]:{p}/x",
    "ipv4-mapped-ipv6": "http://[::ffff:127.0.0.1]:{p}/x",
    "ipv4-mapped-ipv6-hex": "http://[::ffff:7f00:1]:{p}/x",
    "private": "http://10.0.0.1:{p}/x",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "metadata-decimal": "http://2852039166/latest/meta-data/",
    "link-local-ipv6": "http://[fe80::1]:{p}/x",
    "redirect": "http://127.0.0.1:{ok}/go",
}


# How a refusal before connecting reads: the client's BlockedDestination, or an API that
# does not take the URL at all (the connection test's URL field refuses numeric hosts).
REFUSED = ("blocked", '"url":["enter a valid url."]')


@pytest.fixture
def servers(settings) -> Iterator[tuple[LocalServer, LocalServer]]:
    """(target that must stay untouched, allow-listed server that redirects to it)."""
    with LocalServer() as target, LocalServer() as allowed:
        target.route("/x", Reply(body=b"{}"))
        redirect = Reply(status=302, headers={"Location": f"http://127.0.0.1:{target.port}/x"})
        for suffix in ("", "/chat/completions", "/embeddings"):  # the LLM clients add these
            allowed.route("/go" + suffix, redirect)
            allowed.route("/ok" + suffix, Reply(body=b'{"ok": true}'))
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{allowed.port}"]
        polling_client.cache_clear()
        yield target, allowed
    polling_client.cache_clear()


def _test_node(api, workspace, node: dict[str, Any]) -> str:
    workflow = WorkflowFactory(
        workspace=workspace,
        graph={
            "nodes": [{"id": "start", "type": "manual_trigger", "data": {"config": {}}}, node],
            "edges": [{"id": "e1", "source": "start", "target": node["id"]}],
        },
    )
    response = api.post(
        f"/api/v1/workflows/{workflow.pk}/test-node/", {"node_id": node["id"]}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def http_request_block(api, workspace, user, url: str) -> str:
    return _test_node(
        api, workspace, {"id": "call", "type": "http_request", "data": {"config": {"url": url}}}
    )


def mcp_client_block(api, workspace, user, url: str) -> str:
    config = {"server_url": url, "operation": "list_tools", "cache_ttl_s": 0}
    return _test_node(
        api, workspace, {"id": "mcp", "type": "mcp_client", "data": {"config": config}}
    )


def _connector(base_url: str, path: str) -> Connector:
    connector, _ = Connector.objects.update_or_create(
        slug="acme", defaults={"name": "Acme", "base_url": base_url, "health_check_operation": "me"}
    )
    ConnectorOperation.objects.update_or_create(
        connector=connector, key="me", defaults={"name": "Me", "method": "GET", "path": path}
    )
    return connector


def connector_operation_block(api, workspace, user, url: str) -> str:
    base, last = url.rsplit("/", 1)
    _connector(base, "/" + last)
    return _test_node(
        api,
        workspace,
        {
            "id": "op",
            "type": "connector_operation",
            "data": {"config": {"connector": "acme", "operation": "me"}},
        },
    )


def connector_operation_base_url_override(api, workspace, user, url: str) -> str:
    _connector("https://api.example.invalid", "/" + url.rsplit("/", 1)[1])
    return _test_node(
        api,
        workspace,
        {
            "id": "op",
            "type": "connector_operation",
            "data": {
                "config": {
                    "connector": "acme",
                    "operation": "me",
                    "base_url": url.rsplit("/", 1)[0],
                }
            },
        },
    )


def credential_connection_test(api, workspace, user, url: str) -> str:
    credential = credential_create(
        workspace=workspace,
        actor=user,
        name=_unique(),
        kind="bearer",
        secret={"token": "token-123456"},
    )
    response = api.post(f"/api/v1/credentials/{credential.pk}/test/", {"url": url}, format="json")
    assert response.status_code in (200, 400), response.content[:300]
    return response.content.decode()


def polling_trigger(api, workspace, user, url: str) -> str:
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="poll_trigger",
        config={"source": {"kind": "http", "url": url}, "items_path": "data", "interval_s": 60},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    poll_run(trigger_id=trigger.pk)
    trigger.refresh_from_db()
    return trigger.last_error or ""


def oauth_token_refresh(api, workspace, user, url: str) -> str:
    # Plain http is refused for OAuth endpoints unless allow-listed: the forbidden forms
    # go as https (the client refuses them before any TLS handshake, as "blocked").
    if not url.startswith(f"http://{settings.OUTBOUND_ALLOWLIST[0]}/"):
        url = url.replace("http://", "https://", 1)
    credential = credential_create(
        workspace=workspace,
        actor=user,
        name=_unique(),
        kind="oauth2_client",
        config={"client_id": "client", "token_url": url},
        secret={"client_secret": "client-secret-123"},
    )
    return _raised(lambda: oauth_secret_current(credential=credential))


def openapi_import_by_url(api, workspace, user, url: str) -> str:
    return _raised(lambda: openapi_fetch(url=url))


def llm_base_url(api, workspace, user, url: str) -> str:
    client = ChatClient(base_url=url, model="m")
    return _raised(lambda: client.complete([{"role": "user", "content": "hi"}]))


def embeddings_base_url(api, workspace, user, url: str) -> str:
    return _raised(lambda: OpenAIEmbeddingsEncoder(base_url=url, model="m", dim=3).encode(["hi"]))


def _unique() -> str:
    return uuid.uuid4().hex[:12]


def _raised(call: Callable[[], Any]) -> str:
    try:
        call()
    except Exception as exc:  # each path has its own error type; its message is what counts
        return str(exc)
    return ""


PATHS = [
    http_request_block,
    mcp_client_block,
    connector_operation_block,
    connector_operation_base_url_override,
    credential_connection_test,
    polling_trigger,
    oauth_token_refresh,
    openapi_import_by_url,
    llm_base_url,
    embeddings_base_url,
]


@pytest.mark.parametrize("path", PATHS, ids=lambda f: f.__name__)
def test_every_outbound_path_refuses_internal_addresses_before_connecting(
    api, workspace, user, servers, path
):
    target, allowed = servers
    for form, template in FORBIDDEN.items():
        url = template.format(p=target.port, ok=allowed.port)
        answer = path(api, workspace, user, url)
        # A redirect is refused at its hop or not followed at all (OAuth token calls): either
        # way the call fails and the target never hears of it.
        refused = REFUSED if form != "redirect" else ("blocked", "error", "without")
        assert any(m in answer.lower() for m in refused), (form, url, answer[:400])
        assert target.requests == [], (form, url)


@pytest.mark.parametrize("path", PATHS, ids=lambda f: f.__name__)
def test_the_same_path_reaches_an_allow_listed_server(api, workspace, user, servers, path):
    _, allowed = servers
    path(api, workspace, user, f"http://127.0.0.1:{allowed.port}/ok")
    assert allowed.requests, path.__name__
