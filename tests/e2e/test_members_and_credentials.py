"""Members and credentials pages in a real Chromium against the real server and database: an
owner invites a second user and changes their role, the invited user signs in from a second
browser context and sees the workspace; the credentials page shows each credential's status and,
before deleting one, the workflow that uses it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from apps.credentials import services as credential_services
from apps.credentials.models import Credential
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import AuditEvent, Membership
from apps.workspaces.tests.factories import UserFactory
from tests.e2e.browser import CHROMIUM, FLAGS, SHOTS, in_browser_thread, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORT = {"width": 1440, "height": 900}


def _invite_and_visit(base_url: str, owner: str, invitee: str, invitee_email: str) -> dict:
    seen: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            owner_ctx = browser.new_context(viewport=VIEWPORT)
            page = owner_ctx.new_page()
            sign_in(page, f"{base_url}/app/", owner)
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
            page.get_by_role("table").wait_for()
            page.get_by_label("Username or email").fill(invitee_email)
            page.get_by_label("Role", exact=True).select_option("viewer")
            page.get_by_role("button", name="Invite").click()
            page.get_by_text(f"{invitee} can now open this workspace.").wait_for()
            role = page.get_by_label(f"Role of {invitee}")
            seen["invited_role"] = role.input_value()
            role.select_option("editor")
            page.wait_for_function(
                "name => document.querySelector(`select[aria-label='Role of ${name}']`)"
                ".value === 'editor' && !document.querySelector(`select[disabled]`)",
                arg=invitee,
            )
            page.wait_for_timeout(300)
            seen["owner_rows"] = page.locator("tbody tr").all_inner_texts()
            seen["last_owner_remove_disabled"] = page.get_by_role(
                "button", name=f"Remove {owner}"
            ).is_disabled()
            page.screenshot(path=str(SHOTS / "members.png"))

            # The invited user, in a browser context of their own.
            guest_ctx = browser.new_context(viewport=VIEWPORT)
            guest = guest_ctx.new_page()
            sign_in(guest, f"{base_url}/app/", invitee)
            guest.get_by_role("heading", name="Workflows", exact=True).wait_for()
            seen["guest_workspace"] = guest.locator(".workspace-switcher select").evaluate(
                "el => el.options[el.selectedIndex].text"
            )
            seen["guest_workflows"] = guest.locator("tbody").inner_text()
            guest.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
            guest.get_by_role("table").wait_for()
            seen["guest_can_invite"] = guest.get_by_label("Username or email").count() > 0
            seen["guest_members"] = guest.locator("tbody").inner_text()
        finally:
            browser.close()
    return seen


def test_owner_invites_a_user_who_then_sees_the_workspace(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `make frontend` first"
    WorkflowFactory(workspace=workspace, name="Welcome flow")
    grace = UserFactory(username="grace", email="grace@example.com")
    seen = in_browser_thread(
        _invite_and_visit, live_server.url, user.username, "grace", "grace@example.com"
    )

    assert seen["invited_role"] == "viewer"
    assert seen["last_owner_remove_disabled"] is True
    assert any("grace" in row for row in seen["owner_rows"])
    assert seen["guest_workspace"] == workspace.name
    assert "Welcome flow" in seen["guest_workflows"]
    assert seen["guest_can_invite"] is False
    assert "Editor" in seen["guest_members"]
    assert Membership.objects.get(workspace=workspace, user=grace).role == "editor"
    actions = list(
        AuditEvent.objects.filter(workspace=workspace, action__startswith="member.")
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [("member.added", user.pk), ("member.role_changed", user.pk)]


def _credentials_page(base_url: str, owner: str) -> dict:
    seen: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            sign_in(page, f"{base_url}/app/", owner)
            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Credentials"
            ).click()
            page.get_by_role("table").wait_for()
            seen["rows"] = {
                row.locator("td").first.inner_text(): row.inner_text()
                for row in page.locator("tbody tr").all()
            }
            page.screenshot(path=str(SHOTS / "credentials.png"))

            page.get_by_role("button", name="Replace secret of GitHub").click()
            box = page.get_by_role("dialog").get_by_label("API key")
            seen["secret_input_type"] = box.get_attribute("type")
            seen["secret_input_value"] = box.input_value()
            page.get_by_role("button", name="Cancel").click()

            page.get_by_role("button", name="Delete GitHub").click()
            dialog = page.get_by_role("alertdialog", name="Delete GitHub?")
            dialog.get_by_role("list", name="Workflows using this credential").wait_for()
            seen["dialog"] = dialog.inner_text()
            page.screenshot(path=str(SHOTS / "credentials-delete.png"))
            dialog.get_by_role("button", name="Delete anyway").click()
            dialog.wait_for(state="detached")
            page.locator("tbody tr", has_text="GitHub").wait_for(state="detached")
            seen["after"] = page.locator("tbody").inner_text()
        finally:
            browser.close()
    return seen


def test_credentials_show_status_and_the_workflow_a_delete_would_break(
    live_server, user, workspace, settings
):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `make frontend` first"
    create = credential_services.credential_create
    github = create(
        workspace=workspace,
        actor=user,
        name="GitHub",
        kind="api_key",
        secret={"api_key": "sk_live_E2eSecretValue1"},
    )
    Credential.objects.filter(pk=github.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    create(
        workspace=workspace,
        actor=user,
        name="Stripe",
        kind="bearer",
        secret={"token": "sk_live_E2eSecretValue2"},
        expires_at=timezone.now() + timedelta(days=3),
    )
    gmail = create(
        workspace=workspace,
        actor=user,
        name="Gmail",
        kind="oauth2_code",
        config={
            "client_id": "abc",
            "authorization_url": "https://accounts.example.com/o",
            "token_url": "https://accounts.example.com/token",
        },
    )
    Credential.objects.filter(pk=gmail.pk).update(needs_reauth=True, status="error")
    graph = {
        "nodes": [
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 0, "y": 0},
                "data": {
                    "config": {"url": "https://api.github.com/", "credential_id": str(github.pk)}
                },
            }
        ],
        "edges": [],
    }
    WorkflowFactory(workspace=workspace, name="Sync issues", graph=graph)

    seen = in_browser_thread(_credentials_page, live_server.url, user.username)

    assert "Connected" in seen["rows"]["GitHub"] and "2 hours ago" in seen["rows"]["GitHub"]
    assert "Expires soon" in seen["rows"]["Stripe"] and "Never" in seen["rows"]["Stripe"]
    assert "Needs re-auth" in seen["rows"]["Gmail"] and "Reconnect" in seen["rows"]["Gmail"]
    assert seen["secret_input_type"] == "password" and seen["secret_input_value"] == ""
    assert "Sync issues" in seen["dialog"] and "1 workflow uses" in seen["dialog"]
    assert "GitHub" not in seen["after"]
    assert not Credential.objects.filter(pk=github.pk).exists()
