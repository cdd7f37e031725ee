"""The Connect wizard in a real Chromium against the real server, a real OAuth2 server (Authlib)
and a real API server on 127.0.0.1 behind each connector:

- OAuth: the consent in a real popup, a real connection test, the provider revokes the grant,
  the test shows needs re-auth, a second popup re-authenticates, the test passes again; saved
  under its name, then a node for one of its operations is added to a workflow's draft;
  revoked again, it is reconnected from the Credentials page in a third popup;
- API key: masked field, a refused key, Back keeps the entries, a good key, save;
- Cancel deletes the credential the wizard had written.

Screenshots of each step go to var/ui-shots/connect-*.png."""

from __future__ import annotations

import json
import re

import pytest

from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.credentials.models import Credential
from apps.credentials.tests.oauth_server import OAuthProvider
from apps.workflows.models import Workflow
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_SECRET = "client-secret-E2eWizard9"
API_KEY = "ak_live_E2eWizardKey7"


def _connector(slug: str, base_url: str, schemes: list[dict]) -> None:
    connector = Connector.objects.create(
        slug=slug,
        name=slug.title(),
        base_url=base_url,
        auth_schemes=schemes,
        health_check_operation="me",
    )
    ConnectorOperation.objects.create(
        connector=connector, key="me", name="Who am I", method="GET", path="/me"
    )


def _sign_in(page, base_url: str, username: str) -> None:
    sign_in(page, f"{base_url}/app/", username)
    page.get_by_role("heading", name="Workflows", exact=True).wait_for()


def _step(page, number: int, shot: str) -> None:
    page.get_by_role("heading", name=f"Step {number} of 5", exact=False).wait_for()
    page.screenshot(path=str(SHOTS / f"connect-{shot}.png"))


def _consent(page, name: str) -> None:
    """Click the sign-in button, let the popup run the provider's consent and close."""
    with page.expect_popup() as opened:
        page.get_by_role("button", name=name).click()
    popup = opened.value
    popup.wait_for_event("close", timeout=20_000)


def _credential(page, base_url: str, slug: str) -> dict:
    answer = page.request.get(f"{base_url}/api/v1/credentials/?connector__slug={slug}")
    results = json.loads(answer.text())["results"]
    assert len(results) == 1, results
    return results[0]


def _oauth_story(base_url: str, username: str, provider: OAuthProvider) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        _sign_in(page, base_url, username)
        page.goto(f"{base_url}/app/connectors/acme")
        page.get_by_role("link", name="Connect", exact=True).click()
        page.get_by_role("heading", level=1, name="Connect Acme").wait_for()
        seen["wizard_url"] = page.url
        _step(page, 1, "oauth-1-endpoint")
        seen["endpoint"] = page.locator(".wizard-step").inner_text()
        next_button = page.get_by_role("button", name="Next")
        next_button.click()

        _step(page, 2, "oauth-2-parameters")
        seen["next_disabled_empty"] = next_button.is_disabled()
        page.get_by_label("Client ID").fill("flowplane")
        secret = page.get_by_label("Client secret", exact=True)
        secret.fill(CLIENT_SECRET)
        seen["secret_type"] = secret.get_attribute("type")
        page.get_by_role("button", name="Show Client secret").click()
        seen["secret_type_shown"] = secret.get_attribute("type")
        page.screenshot(path=str(SHOTS / "connect-oauth-2-parameters.png"))
        next_button.click()

        _step(page, 3, "oauth-3-authenticate")
        seen["next_disabled_before_consent"] = next_button.is_disabled()
        _consent(page, "Sign in to Acme")
        page.get_by_text("Access granted: Acme is connected.").wait_for()
        page.screenshot(path=str(SHOTS / "connect-oauth-3-authenticate.png"))
        next_button.click()

        _step(page, 4, "oauth-4-test")
        page.get_by_role("button", name="Test connection").click()
        result = page.get_by_role("region", name="Test result")
        result.get_by_text("Connected").wait_for()
        seen["test_ok"] = result.inner_text()
        page.screenshot(path=str(SHOTS / "connect-oauth-4-test.png"))

        provider.revoke_refresh_tokens()  # the provider revokes the grant
        page.get_by_role("button", name="Test again").click()
        result.get_by_text("Failed").wait_for()
        page.get_by_text("Needs re-auth:").wait_for()
        seen["test_revoked"] = result.inner_text()
        seen["revoked_row"] = _credential(page, base_url, "acme")
        seen["next_disabled_revoked"] = next_button.is_disabled()
        page.screenshot(path=str(SHOTS / "connect-oauth-4-needs-reauth.png"))
        _consent(page, "Re-authenticate")
        page.get_by_text("Signed in again: test the connection.").wait_for()
        page.get_by_role("button", name="Test connection").click()
        result.get_by_text("Connected").wait_for()
        seen["test_again"] = result.inner_text()
        page.screenshot(path=str(SHOTS / "connect-oauth-4-reauthenticated.png"))
        next_button.click()

        _step(page, 5, "oauth-5-review")
        seen["review"] = page.locator(".wizard-step").inner_text()
        page.get_by_label("Credential name").fill("Acme (alice)")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved: Acme (alice) is ready to use.").wait_for()
        page.screenshot(path=str(SHOTS / "connect-oauth-5-saved.png"))
        page.get_by_label("Operation", exact=True).select_option("me")
        page.get_by_label("Workflow", exact=True).select_option(label="Sync people")
        page.screenshot(path=str(SHOTS / "connect-oauth-6-add-node.png"))
        page.get_by_role("button", name="Add node and open the editor").click()
        page.locator(".react-flow__node").last.wait_for(timeout=20_000)
        seen["editor_url"] = page.url
        page.screenshot(path=str(SHOTS / "connect-oauth-7-editor.png"))

        # Revoked again; reconnected from the Credentials page, which stays where it is.
        provider.revoke_refresh_tokens()
        page.goto(f"{base_url}/app/credentials")
        row = page.get_by_role("row", name=re.compile("Acme \\(alice\\)"))
        row.get_by_role("button", name="Test Acme (alice)").click()
        row.get_by_text("Needs re-auth").wait_for()
        _consent(page, "Reconnect Acme (alice)")
        row.get_by_text("Connected", exact=True).wait_for()
        seen["reconnected_row"] = row.inner_text()
        seen["credentials_url"] = page.url
        page.screenshot(path=str(SHOTS / "credentials-reconnected.png"))
    return seen


def test_oauth_wizard_with_popup_reauth_and_a_node(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `make frontend` first"
    with OAuthProvider() as provider:
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{provider.port}"]
        provider.add_client(
            client_id="flowplane",
            client_secret=CLIENT_SECRET,
            redirect_uris=[f"{live_server.url}/oauth/callback"],
        )
        flow = {
            "authorization_url": provider.url("/authorize"),
            "token_url": provider.url("/token"),
            "scopes": {"read": "Read"},
        }
        _connector(
            "acme",
            provider.url("/api"),
            [{"key": "oauth", "kind": "oauth2", "flows": {"authorization_code": flow}}],
        )
        workflow = WorkflowFactory(workspace=workspace, name="Sync people")
        seen = in_browser_thread(_oauth_story, live_server.url, user.username, provider)
        consents = provider.grants_issued("authorization_code")

    assert seen["wizard_url"].endswith("/app/connectors/acme/connect")
    assert "127.0.0.1" in seen["endpoint"] and "one endpoint" in seen["endpoint"]
    assert seen["next_disabled_empty"] and seen["next_disabled_before_consent"]
    assert (seen["secret_type"], seen["secret_type_shown"]) == ("password", "text")
    assert "HTTP 200" in seen["test_ok"] and " ms" in seen["test_ok"]
    assert '"user":"alice"' in seen["test_ok"].replace(" ", "")
    assert "HTTP 401" in seen["test_revoked"] and "must be reconnected" in seen["test_revoked"]
    assert seen["revoked_row"]["needs_reauth"] is True
    assert seen["revoked_row"]["status"] == "error" and seen["next_disabled_revoked"]
    assert "HTTP 200" in seen["test_again"] and consents == 3
    assert seen["credentials_url"] == f"{live_server.url}/app/credentials"
    assert "Test failed" not in seen["reconnected_row"]  # the revoked grant's answer is gone
    assert CLIENT_SECRET not in seen["review"] and "Sign in (OAuth2)" in seen["review"]

    credential = Credential.objects.get(connector__slug="acme")
    assert credential.name == "Acme (alice)" and credential.status == "connected"
    assert not credential.needs_reauth
    assert seen["editor_url"].endswith(f"/app/workflows/{workflow.pk}")
    workflow.refresh_from_db()
    node = workflow.graph["nodes"][-1]
    assert node["type"] == "connector_operation"
    assert node["data"]["config"] == {
        "connector": "acme",
        "operation": "me",
        "credential_id": str(credential.pk),
        "parameters": {},
    }
    assert Workflow.objects.filter(pk=workflow.pk, version__gt=1).exists()


def _api_key_story(base_url: str, username: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        _sign_in(page, base_url, username)
        page.goto(f"{base_url}/app/connectors/keyed/connect")
        next_button = page.get_by_role("button", name="Next")
        _step(page, 1, "key-1-endpoint")
        next_button.click()
        _step(page, 2, "key-2-parameters")
        seen["header"] = page.get_by_label("Header name").input_value()
        next_button.click()

        _step(page, 3, "key-3-authenticate")
        key = page.get_by_label(re.compile(r"^API key"))
        seen["key_type"] = key.get_attribute("type")
        seen["next_disabled_empty"] = next_button.is_disabled()
        key.fill("ak_wrong_key")
        next_button.click()
        _step(page, 4, "key-4-test")
        page.get_by_role("button", name="Test connection").click()
        result = page.get_by_role("region", name="Test result")
        result.get_by_text("Failed").wait_for()
        seen["refused"] = result.inner_text()
        page.screenshot(path=str(SHOTS / "connect-key-4-refused.png"))

        page.get_by_role("button", name="Back").click()
        _step(page, 3, "key-3-back")
        seen["kept"] = key.input_value()
        key.fill(API_KEY)
        next_button.click()
        page.get_by_role("button", name="Test connection").click()
        result.get_by_text("Connected").wait_for()
        seen["passed"] = result.inner_text()
        page.screenshot(path=str(SHOTS / "connect-key-4-test.png"))
        next_button.click()
        _step(page, 5, "key-5-review")
        page.get_by_label("Credential name").fill("Keyed prod")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved: Keyed prod is ready to use.").wait_for()

        # A second attempt, abandoned after its credential was written: Cancel deletes it.
        page.goto(f"{base_url}/app/connectors/keyed/connect")
        next_button.click()
        next_button.click()
        key.fill("ak_second_key")
        next_button.click()
        _step(page, 4, "key-cancel")
        seen["pending_rows"] = json.loads(
            page.request.get(f"{base_url}/api/v1/credentials/?connector__slug=keyed").text()
        )["count"]
        page.get_by_role("button", name="Cancel").click()
        page.get_by_role("heading", level=1, name="Keyed").wait_for()
    return seen


def test_api_key_wizard_and_cancel_leave_one_credential(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `make frontend` first"
    calls: list[str | None] = []

    def me(request):
        calls.append(request.header("X-Acme-Key"))
        ok = request.header("X-Acme-Key") == API_KEY
        return Reply(status=200 if ok else 401, body=b'{"account": "keyed-team"}')

    with LocalServer() as server:
        server.route("/v1/me", me)
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{server.port}"]
        schemes = [{"key": "key", "kind": "api_key", "location": "header", "name": "X-Acme-Key"}]
        _connector("keyed", server.url("/v1"), schemes)
        seen = in_browser_thread(_api_key_story, live_server.url, user.username)

    assert seen["header"] == "X-Acme-Key" and seen["key_type"] == "password"
    assert seen["next_disabled_empty"] is True
    assert "HTTP 401" in seen["refused"] and seen["kept"] == "ak_wrong_key"
    assert "HTTP 200" in seen["passed"] and "keyed-team" in seen["passed"]
    assert calls == ["ak_wrong_key", API_KEY]
    assert seen["pending_rows"] == 2
    assert list(Credential.objects.values_list("name", flat=True)) == ["Keyed prod"]
