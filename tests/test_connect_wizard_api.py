"""What the Connect wizard needs from the credentials API, against real servers on 127.0.0.1:
a consent that returns to the wizard's page, a connection test that reports latency and the
upstream's answer (secrets redacted), and a revoked grant that the test turns into needs-reauth
until a new consent connects the credential again."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.credentials.models import Credential
from apps.credentials.resolver import outbound_http
from apps.credentials.tests.oauth_server import OAuthProvider

REDIRECT = "http://testserver/oauth/callback"
CLIENT_SECRET = "client-secret-Wz77pQ"
API_KEY = "ak_live_WizardKey42"
WIZARD = "/app/connectors/acme/connect"


@pytest.fixture
def provider(settings):
    with OAuthProvider() as p:
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{p.port}"]
        p.add_client(client_id="flowplane", client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT])
        connector = Connector.objects.create(
            slug="acme", name="Acme", base_url=p.url("/api"), health_check_operation="me"
        )
        ConnectorOperation.objects.create(
            connector=connector, key="me", name="Me", method="GET", path="/me"
        )
        yield p


def _oauth_credential(api, workspace, provider) -> str:
    body = {
        "workspace": str(workspace.pk),
        "name": "Acme (connecting)",
        "kind": "oauth2_code",
        "connector": "acme",
        "config": {
            "client_id": "flowplane",
            "authorization_url": provider.url("/authorize"),
            "token_url": provider.url("/token"),
        },
        "secret": {"client_secret": CLIENT_SECRET},
    }
    response = api.post("/api/v1/credentials/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def _consent(api, user, credential_id: str, return_to: str | None = WIZARD) -> str:
    """Start a consent, let the provider approve it, follow the callback: its Location."""
    body = {"return_to": return_to} if return_to else {}
    start = api.post(f"/api/v1/credentials/{credential_id}/oauth/start/", body, format="json")
    assert start.status_code == 200, start.json()
    consent = outbound_http().request(
        "GET", start.json()["authorization_url"], allow_redirects=False
    )
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    browser = Client()
    browser.force_login(user)
    callback = browser.get(
        "/oauth/callback", {"code": query["code"][0], "state": query["state"][0]}
    )
    assert callback.status_code == 302
    return callback["Location"]


@pytest.mark.django_db
def test_consent_returns_to_the_page_that_started_it(api, user, workspace, provider):
    credential_id = _oauth_credential(api, workspace, provider)
    location = _consent(api, user, credential_id)
    assert location == f"{WIZARD}?oauth=connected&credential={credential_id}"
    # Without one, the credentials page as before.
    assert _consent(api, user, credential_id, None).startswith("/app/credentials?oauth=connected")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "return_to", ["https://evil.example/app/x", "//evil.example/app/x", "/app//evil", "/admin/"]
)
def test_return_to_is_a_page_of_this_app(api, workspace, provider, return_to):
    credential_id = _oauth_credential(api, workspace, provider)
    response = api.post(
        f"/api/v1/credentials/{credential_id}/oauth/start/",
        {"return_to": return_to},
        format="json",
    )
    assert response.status_code == 400
    assert "return_to" in str(response.json())


@pytest.mark.django_db
def test_connection_test_reports_latency_and_the_upstream_answer(api, workspace, settings):
    with LocalServer() as server:
        # The upstream echoes the key: the answer shown to the user must not carry it.
        server.route(
            "/v1/me",
            lambda r: Reply(
                status=200 if r.header("X-API-Key") == API_KEY else 401,
                body=f'{{"account": "acme-team", "echo": "{r.header("X-API-Key")}"}}'.encode(),
                delay=0.05,
            ),
        )
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{server.port}"]
        connector = Connector.objects.create(
            slug="keyed", name="Keyed", base_url=server.url("/v1"), health_check_operation="me"
        )
        ConnectorOperation.objects.create(
            connector=connector, key="me", name="Me", method="GET", path="/me"
        )
        created = api.post(
            "/api/v1/credentials/",
            {
                "workspace": str(workspace.pk),
                "name": "Keyed",
                "kind": "api_key",
                "connector": "keyed",
                "secret": {"api_key": API_KEY},
            },
            format="json",
        ).json()
        result = api.post(f"/api/v1/credentials/{created['id']}/test/", {}, format="json").json()
    assert result["ok"] is True and result["status"] == 200
    assert result["elapsed_ms"] >= 50
    assert '"account": "acme-team"' in result["answer"]
    assert API_KEY not in result["answer"] and "[redacted]" in result["answer"]


@pytest.mark.django_db
def test_revoked_grant_needs_reauth_until_a_new_consent(api, user, workspace, provider):
    credential_id = _oauth_credential(api, workspace, provider)
    _consent(api, user, credential_id)
    test_url = f"/api/v1/credentials/{credential_id}/test/"
    first = api.post(test_url, {}, format="json").json()
    assert first["ok"] is True and '"user":"alice"' in first["answer"].replace(" ", "")

    provider.revoke_refresh_tokens()  # access and refresh tokens alike
    refused = api.post(test_url, {}, format="json").json()
    assert refused["ok"] is False and refused["status"] == 401
    assert "must be reconnected" in refused["detail"]
    row = Credential.objects.get(pk=credential_id)
    assert row.needs_reauth is True
    assert api.get(f"/api/v1/credentials/{credential_id}/").json()["status"] == "error"
    assert provider.grants_issued("refresh_token") == 0  # the refused refresh, once

    _consent(api, user, credential_id)
    again = api.post(test_url, {}, format="json").json()
    assert again["ok"] is True and again["status"] == 200
    detail = api.get(f"/api/v1/credentials/{credential_id}/").json()
    assert detail["status"] == "connected" and detail["needs_reauth"] is False
