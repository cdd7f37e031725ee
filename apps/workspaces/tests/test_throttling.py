"""API rate limits on the shared cache: per token, per workspace; CORS by allow-list; the
client address behind trusted proxies only."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from apps.workspaces.client_ip import client_ip
from apps.workspaces.models import Role
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    _, token = api_token_create(user=user, name="limits")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_throttled(response, *, longest: int) -> None:
    assert response.status_code == 429, response.content
    assert 1 <= int(response["Retry-After"]) <= longest
    assert response.json()["type"] == "throttled"


def test_a_token_over_its_rate_gets_429_with_retry_after(settings, user, workspace):
    # A day's window: the test cannot straddle two of them in practice.
    settings.API_RATE_PER_TOKEN = "5/day"
    first, second = token_client(user), token_client(user)
    assert [first.get("/api/v1/workflows/").status_code for _ in range(5)] == [200] * 5
    assert_throttled(first.get("/api/v1/workflows/"), longest=86400)
    # The limit is the token's, not the user's: another token still has its own.
    assert second.get("/api/v1/workflows/").status_code == 200


def test_a_workspace_over_its_rate_gets_429_for_every_member(
    settings, user, workspace, other_workspace
):
    settings.API_RATE_PER_WORKSPACE = "3/day"
    owner = token_client(user)
    editor = token_client(MembershipFactory(workspace=workspace, role=Role.EDITOR).user)
    outsider = token_client(MembershipFactory(workspace=other_workspace, role=Role.OWNER).user)

    def create(client, ws):
        return client.post(
            "/api/v1/workflows/", {"workspace": str(ws.id), "name": "w"}, format="json"
        )

    # Someone who is not a member is refused without using the workspace's budget.
    assert create(outsider, workspace).status_code in (403, 404)
    assert [create(owner, workspace).status_code for _ in range(2)] == [201, 201]
    assert create(editor, workspace).status_code == 201
    assert_throttled(create(editor, workspace), longest=86400)
    assert_throttled(create(owner, workspace), longest=86400)
    assert create(outsider, other_workspace).status_code == 201


def test_cors_answers_allowed_origins_only(settings, client):
    settings.CORS_ALLOWED_ORIGINS = ["https://flows.example.com"]
    preflight = {
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, content-type",
    }
    allowed = client.options(
        "/api/v1/workflows/", HTTP_ORIGIN="https://flows.example.com", **preflight
    )
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == "https://flows.example.com"
    assert "authorization" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed
    denied = client.options(
        "/api/v1/workflows/", HTTP_ORIGIN="https://evil.example.net", **preflight
    )
    assert "Access-Control-Allow-Origin" not in denied
    simple = client.get("/api/v1/workflows/", HTTP_ORIGIN="https://flows.example.com")
    assert simple["Access-Control-Allow-Origin"] == "https://flows.example.com"
    assert "X-Request-ID" in simple["Access-Control-Expose-Headers"]
    # Webhooks are server to server: no CORS there.
    hook = client.options("/hooks/abc", HTTP_ORIGIN="https://flows.example.com", **preflight)
    assert "Access-Control-Allow-Origin" not in hook


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "", [], "203.0.113.9"),
        # A forwarded-for from a peer that is not our proxy is the caller's own claim.
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),
        ("10.0.0.5", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        # A client that sends its own header: only the hop our proxy appended counts.
        ("10.0.0.5", "1.2.3.4, 198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.7", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "not-an-ip", ["10.0.0.0/8"], "10.0.0.5"),
        ("2001:db8::1", "", ["10.0.0.0/8"], "2001:db8::1"),
    ],
)
def test_client_ip_believes_trusted_proxies_only(settings, peer, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
