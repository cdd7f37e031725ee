"""OAuth2 against a real authorization server (Authlib on 127.0.0.1): code + PKCE, refresh,
rotation, 401 and token-expired-signal retries, revoked refresh token, client credentials."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.credentials import services
from apps.credentials.exceptions import CredentialNeedsReauth
from apps.credentials.models import Credential, OAuthAuthorization
from apps.credentials.resolver import outbound_http, secrets_for
from apps.credentials.tests.oauth_server import OAuthProvider

REDIRECT = "http://testserver/oauth/callback"
CLIENT_SECRET = "client-secret-Zq81vTT"


@pytest.fixture
def provider(settings):
    with OAuthProvider() as p:
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{p.port}"]
        p.add_client(client_id="flowplane", client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT])
        p.add_client(
            client_id="machine",
            client_secret=CLIENT_SECRET,
            redirect_uris=[REDIRECT],
            auth_method="client_secret_post",
        )
        yield p


def _create_code_credential(api, workspace, provider, **config):
    body = {
        "workspace": str(workspace.pk),
        "name": "Provider",
        "kind": "oauth2_code",
        "config": {
            "client_id": "flowplane",
            "authorization_url": provider.url("/authorize"),
            "token_url": provider.url("/token"),
            "scopes": ["read"],
            **config,
        },
        "secret": {"client_secret": CLIENT_SECRET},
    }
    response = api.post("/api/v1/credentials/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "disconnected"
    return response.json()["id"]


def _browser_consent(api, credential_id):
    """Start the consent, follow the provider's redirect, return the callback query."""
    response = api.post(f"/api/v1/credentials/{credential_id}/oauth/start/")
    assert response.status_code == 200, response.json()
    url = response.json()["authorization_url"]
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [REDIRECT]
    assert "code_verifier" not in query
    consent = outbound_http().request("GET", url, allow_redirects=False)
    assert consent.status == 302, consent.text
    location = consent.headers["location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)


def _connect(api, user, workspace, provider, **config):
    credential_id = _create_code_credential(api, workspace, provider, **config)
    callback = _browser_consent(api, credential_id)
    browser = Client()
    browser.force_login(user)
    response = browser.get(
        "/oauth/callback", {"code": callback["code"][0], "state": callback["state"][0]}
    )
    assert response.status_code == 302
    assert "oauth=connected" in response["Location"], response["Location"]
    return Credential.objects.get(pk=credential_id), browser, callback


@pytest.mark.django_db
def test_code_pkce_flow_connects_and_calls_the_api(api, user, workspace, provider):
    credential, browser, callback = _connect(api, user, workspace, provider)
    assert credential.status == "connected" and not credential.needs_reauth
    assert credential.access_expires_at > timezone.now() + timedelta(minutes=50)
    assert credential.expires_at is None  # a refresh token keeps it alive
    secret = services.secret_open(credential)
    assert set(secret) == {"client_secret", "access_token", "refresh_token"}
    exchange = [r for r in provider.token_requests if r["grant_type"] == "authorization_code"]
    assert exchange[0]["issued"] and exchange[0]["code_verifier"]
    assert exchange[0]["authorization"].startswith("Basic ")  # client_secret_basic
    assert not OAuthAuthorization.objects.exists()  # the pending consent is consumed

    response = secrets_for(workspace_id=workspace.pk).request(
        credential.pk, "GET", provider.url("/api/me")
    )
    assert response.status == 200 and response.json()["user"] == "alice"

    detail = api.get(f"/api/v1/credentials/{credential.pk}/").json()
    assert detail["status"] == "connected"
    assert secret["access_token"] not in str(detail)

    # The state is single use: replaying the callback fails and changes nothing.
    replay = browser.get(
        "/oauth/callback", {"code": callback["code"][0], "state": callback["state"][0]}
    )
    assert "oauth=failed" in replay["Location"]
    assert provider.grants_issued("authorization_code") == 1


@pytest.mark.django_db
def test_state_is_signed_and_bound_to_the_user(api, user, workspace, provider, member_api):
    credential_id = _create_code_credential(api, workspace, provider)
    callback = _browser_consent(api, credential_id)
    browser = Client()
    browser.force_login(user)
    tampered = callback["state"][0][:-2] + (
        "AA" if not callback["state"][0].endswith("AA") else "BB"
    )
    response = browser.get("/oauth/callback", {"code": callback["code"][0], "state": tampered})
    assert "oauth=failed" in response["Location"]

    other = Client()
    from apps.workspaces.tests.factories import MembershipFactory

    intruder = MembershipFactory(workspace=workspace, role="editor").user
    other.force_login(intruder)
    response = other.get(
        "/oauth/callback", {"code": callback["code"][0], "state": callback["state"][0]}
    )
    assert "oauth=failed" in response["Location"]
    assert Credential.objects.get(pk=credential_id).status == "disconnected"

    anonymous = Client().get("/oauth/callback", {"code": "x", "state": callback["state"][0]})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_expired_consent_is_refused(api, user, workspace, provider):
    credential_id = _create_code_credential(api, workspace, provider)
    callback = _browser_consent(api, credential_id)
    OAuthAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    browser = Client()
    browser.force_login(user)
    response = browser.get(
        "/oauth/callback", {"code": callback["code"][0], "state": callback["state"][0]}
    )
    assert "oauth=failed" in response["Location"]
    assert provider.grants_issued("authorization_code") == 0


@pytest.mark.django_db
def test_refresh_before_expiry_rotates_the_refresh_token(api, user, workspace, provider):
    credential, _, _ = _connect(api, user, workspace, provider)
    old = services.secret_open(credential)
    Credential.objects.filter(pk=credential.pk).update(
        access_expires_at=timezone.now() + timedelta(seconds=30)
    )

    injector = secrets_for(workspace_id=workspace.pk).auth_for(credential.pk)

    new = services.secret_open(Credential.objects.get(pk=credential.pk))
    assert injector.token == new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]  # rotated, stored with the access token
    assert provider.grants_issued("refresh_token") == 1
    response = outbound_http().request("GET", provider.url("/api/me"), auth_injector=injector)
    assert response.status == 200


@pytest.mark.django_db
def test_beat_refreshes_tokens_expiring_soon(api, user, workspace, provider):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="credentials.refresh_expiring").exists()
    credential, _, _ = _connect(api, user, workspace, provider)
    Credential.objects.filter(pk=credential.pk).update(
        access_expires_at=timezone.now() + timedelta(seconds=200)
    )
    from apps.credentials.tasks import refresh_expiring_task

    assert refresh_expiring_task.name == "credentials.refresh_expiring"
    assert refresh_expiring_task() == {"refreshed": 1, "failed": 0, "needs_reauth": 0}
    again = services.credentials_refresh_expiring()  # now far from expiry: nothing to do
    assert again.refreshed == 0
    assert provider.grants_issued("refresh_token") == 1


@pytest.mark.django_db
def test_401_refreshes_once_and_retries(api, user, workspace, provider):
    credential, _, _ = _connect(api, user, workspace, provider)
    token = provider.token(services.secret_open(credential)["access_token"])
    token.expires_in = 0  # the provider now answers 401 for it; our row still thinks it is fine

    response = secrets_for(workspace_id=workspace.pk).request(
        credential.pk, "GET", provider.url("/api/me")
    )
    assert response.status == 200
    assert provider.grants_issued("refresh_token") == 1


@pytest.mark.django_db
def test_token_expired_signal_in_a_200_body(api, user, workspace, provider):
    credential, _, _ = _connect(
        api,
        user,
        workspace,
        provider,
        expired_signal={"path": "error", "equals": ["token_expired", "invalid_auth"]},
    )
    provider.slack_expired.add(services.secret_open(credential)["access_token"])

    response = secrets_for(workspace_id=workspace.pk).request(
        credential.pk, "GET", provider.url("/api/slack")
    )
    assert response.json() == {"ok": True, "user": "alice"}
    assert provider.grants_issued("refresh_token") == 1


@pytest.mark.django_db
def test_revoked_refresh_token_needs_reauth_without_a_retry_storm(api, user, workspace, provider):
    credential, _, _ = _connect(api, user, workspace, provider)
    provider.revoke_refresh_tokens()
    Credential.objects.filter(pk=credential.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    resolver = secrets_for(workspace_id=workspace.pk)

    with pytest.raises(CredentialNeedsReauth):
        resolver.auth_for(credential.pk)
    row = Credential.objects.get(pk=credential.pk)
    assert row.needs_reauth and row.status == "error" and "invalid_grant" in row.last_error
    refresh_calls = len([r for r in provider.token_requests if r["grant_type"] == "refresh_token"])
    assert refresh_calls == 1

    for _ in range(5):
        with pytest.raises(CredentialNeedsReauth):
            resolver.auth_for(credential.pk)
    assert services.credentials_refresh_expiring().refreshed == 0
    assert (
        len([r for r in provider.token_requests if r["grant_type"] == "refresh_token"])
        == refresh_calls
    )
    detail = api.get(f"/api/v1/credentials/{credential.pk}/").json()
    assert detail["status"] == "error" and detail["needs_reauth"] is True


@pytest.mark.django_db
def test_client_credentials(api, workspace, provider):
    response = api.post(
        "/api/v1/credentials/",
        {
            "workspace": str(workspace.pk),
            "name": "Machine",
            "kind": "oauth2_client",
            "config": {
                "client_id": "machine",
                "token_url": provider.url("/token"),
                "token_auth": "client_secret_post",
                "scopes": ["read"],
            },
            "secret": {"client_secret": CLIENT_SECRET},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    credential_id = response.json()["id"]
    resolver = secrets_for(workspace_id=workspace.pk)
    me = resolver.request(credential_id, "GET", provider.url("/api/me"))
    assert me.status == 200 and me.json()["client"] == "machine"
    resolver.request(credential_id, "GET", provider.url("/api/me"))
    assert provider.grants_issued("client_credentials") == 1  # the token is reused

    test = api.post(
        f"/api/v1/credentials/{credential_id}/test/",
        {"url": provider.url("/api/me")},
        format="json",
    )
    assert test.status_code == 200 and test.json()["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_refresh_the_same_token_at_once(api, user, workspace, provider):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that serves concurrent connections (PostgreSQL)")
    credential, _, _ = _connect(api, user, workspace, provider)
    Credential.objects.filter(pk=credential.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    barrier = threading.Barrier(4)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            tokens.append(secrets_for(workspace_id=workspace.pk).auth_for(credential.pk).token)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(set(tokens)) == 1
    assert provider.grants_issued("refresh_token") == 1


@pytest.mark.django_db
def test_connector_declares_endpoints_and_the_expired_signal(api, user, workspace, provider):
    from apps.connectors.models import Connector

    Connector.objects.create(
        slug="chatty",
        name="Chatty",
        base_url=provider.url("/api"),
        auth_schemes=[
            {
                "key": "oauth",
                "kind": "oauth2",
                "flows": {
                    "authorization_code": {
                        "authorization_url": provider.url("/authorize"),
                        "token_url": provider.url("/token"),
                        "scopes": {"read": "Read", "write": "Write"},
                    }
                },
                "token_expired_signal": {"path": "error", "equals": "token_expired"},
            }
        ],
    )
    response = api.post(
        "/api/v1/credentials/",
        {
            "workspace": str(workspace.pk),
            "name": "Chatty",
            "kind": "oauth2_code",
            "connector": "chatty",
            "config": {"client_id": "flowplane", "scopes": ["read"]},
            "secret": {"client_secret": CLIENT_SECRET},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    config = response.json()["config"]
    assert config["token_url"] == provider.url("/token")
    assert config["scopes"] == ["read"]  # never widened to every scope the API declares
    credential_id = response.json()["id"]
    callback = _browser_consent(api, credential_id)
    browser = Client()
    browser.force_login(user)
    browser.get("/oauth/callback", {"code": callback["code"][0], "state": callback["state"][0]})
    credential = Credential.objects.get(pk=credential_id)
    # Also when the row has no copy of the signal: the connector's current one applies.
    credential.public_data.pop("expired_signal")
    credential.save()
    provider.slack_expired.add(services.secret_open(credential)["access_token"])
    response = secrets_for(workspace_id=workspace.pk).request(
        credential_id, "GET", provider.url("/api/slack")
    )
    assert response.json()["ok"] is True
    assert provider.grants_issued("refresh_token") == 1
