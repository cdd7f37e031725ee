"""The connector browser in a real browser against the real server with the shipped catalogue
loaded: search "sla", see Slack (connected in this workspace), open it, see its operations and
one operation's parameters. Screenshots go to var/ui-shots/."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.connectors.models import Connector
from apps.credentials import services as credentials
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in


def _browse(base_url: str, username: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Connectors").click()
        grid = page.get_by_role("list", name="Connectors")
        grid.get_by_role("link").first.wait_for(timeout=20_000)
        seen["count"] = page.locator(".connector-count").inner_text()
        seen["first_cards"] = [grid.get_by_role("link").nth(i).text_content() for i in range(3)]
        page.screenshot(path=str(SHOTS / "connectors.png"))

        page.get_by_label("Search connectors").fill("sla")
        page.wait_for_url("**/app/connectors?q=sla", timeout=10_000)
        # The search has answered when the count is no longer the whole catalogue's.
        page.wait_for_function(
            "(all) => document.querySelector('.connector-count')?.textContent !== all"
            " && document.querySelector('.connector-grid[aria-busy=\"false\"]')",
            arg=seen["count"],
            timeout=10_000,
        )
        seen["search_count"] = page.locator(".connector-count").inner_text()
        slack = grid.get_by_role("link", name="Slack (connected)")
        seen["search_first"] = grid.get_by_role("link").first.text_content()
        page.screenshot(path=str(SHOTS / "connectors-search.png"))
        slack.click()

        page.get_by_role("heading", level=1, name="Slack").wait_for(timeout=10_000)
        operations = page.get_by_role("region", name="Operations")
        operations.get_by_role("button").first.wait_for(timeout=10_000)
        seen["operations_heading"] = operations.get_by_role("heading").inner_text()
        seen["connect_href"] = page.get_by_role(
            "link", name="Connect another account"
        ).get_attribute("href")
        seen["facts"] = page.get_by_role("complementary", name="About this connector").inner_text()
        seen["listed"] = (
            operations.get_by_role("list", name="Operations").get_by_role("button").count()
        )
        operations.get_by_label("Search operations").fill("message")
        # The search has answered when the count in the heading is no longer all of them.
        page.wait_for_function(
            "(all) => document.querySelector('.operations__count')?.textContent !== all"
            " && document.querySelector('.operation-list[aria-busy=\"false\"]')",
            arg=seen["operations_heading"].removeprefix("Operations").strip(),
            timeout=10_000,
        )
        seen["found"] = (
            operations.get_by_role("list", name="Operations")
            .get_by_role("button")
            .all_inner_texts()
        )
        toggle = operations.get_by_role("button", name="/chat.postMessage", exact=False)
        toggle.click()
        seen["parameters"] = operations.get_by_role("table").first.inner_text()
        toggle.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "connector-slack.png"))
    return seen


@pytest.mark.django_db(transaction=True)
def test_search_sla_open_slack_and_read_its_operations(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    call_command("load_catalog", stdout=StringIO())
    slack = Connector.objects.get(slug="slack")
    credentials.credential_create(
        workspace=workspace,
        actor=user,
        name="Team Slack",
        kind="bearer",
        secret={"token": "xoxb-e2e"},
        connector=slack,
    )
    graph = {
        "nodes": [
            {
                "id": "say",
                "type": "connector_operation",
                "position": {"x": 0, "y": 0},
                "data": {"config": {"connector": "github", "operation": "x"}},
            }
        ],
        "edges": [],
    }
    for _ in range(2):
        WorkflowFactory(workspace=workspace, graph=graph)

    seen = in_browser_thread(_browse, live_server.url, user.username)

    assert seen["count"] == f"{Connector.objects.count()} connectors"
    # Most used first: GitHub (2 workflows), then Slack (1 credential).
    assert seen["first_cards"][:2] == ["GitHub", "Slack (connected)"]
    assert seen["search_first"] == "Slack (connected)"  # name matches before descriptions
    assert seen["search_count"] != seen["count"]
    assert seen["operations_heading"].startswith("Operations")
    assert str(slack.operations.filter(enabled=True).count()) in seen["operations_heading"]
    assert seen["connect_href"] == "/app/connectors/slack/connect"
    assert "OAuth2" in seen["facts"] and "https://slack.com/api" in seen["facts"]
    assert seen["listed"] == 25  # the first page
    assert 0 < len(seen["found"]) < 25
    assert all("message" in text.lower() for text in seen["found"])
    assert "channel" in seen["parameters"]
