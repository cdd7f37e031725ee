"""Trigger panels and publish checks of the canvas, in a real browser: a schedule node's next
runs, the checks list that Publish opens, and rotating a webhook's signing secret."""

import re
from datetime import datetime

from django.utils import timezone

from apps.triggers import cron
from apps.triggers.models import Trigger
from apps.triggers.services import trigger_secret
from apps.triggers.tests.factories import published_workflow
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import AuditEvent
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.e2e.test_accessibility import _violations

CRON, ZONE = "30 6 * * 1-5", "Asia/Tokyo"


def _node(node_id: str, block: str, x: int, y: int, config: dict) -> dict:
    return {"id": node_id, "type": block, "position": {"x": x, "y": y}, "data": {"config": config}}


def _sign_in(context, base_url: str, username: str, workflow_name: str):
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, f"{base_url}/app/", username)
    page.get_by_role("link", name=workflow_name).click()
    page.wait_for_selector(".react-flow__node", timeout=20_000)
    return page


def _schedule_preview(base_url: str, username: str, workflow_name: str) -> dict:
    with chromium(bypass_csp=True) as context:  # axe is injected inline
        page = _sign_in(context, base_url, username, workflow_name)
        page.click('[data-testid="node-tick"]')
        panel = page.get_by_role("region", name="Schedule")
        panel.get_by_label("Cron expression").fill(CRON)
        panel.get_by_label("Time zone").select_option(ZONE)
        runs = panel.get_by_role("list", name="Next five runs")
        runs.locator("li").nth(4).wait_for(timeout=20_000)
        page.wait_for_timeout(600)  # the preview is debounced: let the last answer land
        seen = {
            "at": runs.locator("time").evaluate_all("els => els.map(e => e.dateTime)"),
            "text": runs.locator("li").all_inner_texts(),
            "repeat": panel.get_by_label("Repeat").input_value(),
            "axe": _violations(page),
        }
        page.screenshot(path=str(SHOTS / "schedule-cron-editor.png"))
    return seen


def test_a_schedule_node_shows_its_next_five_runs(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `npm run build` first"
    graph = {
        "nodes": [
            _node("tick", "schedule_trigger", 0, 0, {"cron": "0 * * * *"}),
            _node("greet", "transform", 320, 0, {"mapping": {"text": "hi"}}),
        ],
        "edges": [{"id": "e1", "source": "tick", "target": "greet"}],
    }
    workflow = WorkflowFactory(workspace=workspace, name="Scheduled", graph=graph)
    before = timezone.now()
    seen = in_browser_thread(_schedule_preview, live_server.url, user.username, workflow.name)
    expected = cron.upcoming(CRON, ZONE, before, 5)
    assert [datetime.fromisoformat(at) for at in seen["at"]] == expected
    assert all(text.split()[1] == "06:30" for text in seen["text"])  # local Tokyo time
    assert seen["repeat"] == "custom"
    assert seen["axe"] == []


def _publish_checks(base_url: str, username: str, workflow_name: str) -> dict:
    with chromium(bypass_csp=True) as context:  # axe is injected inline
        page = _sign_in(context, base_url, username, workflow_name)
        page.get_by_role("button", name="Publish", exact=True).click()
        dialog = page.get_by_role("dialog", name="Publish checks")
        item = dialog.get_by_role("button", name=re.compile(r"Unreachable node lonely"))
        item.wait_for(timeout=20_000)
        seen = {
            "focused_first": item.evaluate("el => el === document.activeElement"),
            "axe": _violations(page),
        }
        page.screenshot(path=str(SHOTS / "publish-checks.png"))
        item.press("Enter")  # keyboard: the focused problem shows its node
        dialog.wait_for(state="detached")
        lonely = page.locator('.react-flow__node[data-id="lonely"]')
        page.wait_for_timeout(800)  # the fit is animated
        box = lonely.bounding_box()
        pane = page.locator(".react-flow").bounding_box()
        seen["offset"] = (
            abs(box["x"] + box["width"] / 2 - (pane["x"] + pane["width"] / 2)),
            abs(box["y"] + box["height"] / 2 - (pane["y"] + pane["height"] / 2)),
        )
        seen["selected"] = "selected" in (lonely.get_attribute("class") or "")
        seen["node_focused"] = lonely.evaluate("el => el === document.activeElement")
        seen["panel"] = page.get_by_role("complementary", name="Node settings").inner_text()
        page.screenshot(path=str(SHOTS / "publish-checks-focused.png"))
        # Warnings only: publishing anyway is the user's choice.
        page.get_by_role("button", name="Publish", exact=True).click()
        dialog.get_by_role("button", name="Publish anyway").click()
        page.get_by_text(re.compile(r"Published \(live: version \d+\)")).wait_for(timeout=20_000)
    return seen


def test_publish_lists_an_unreachable_node_and_shows_it(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `npm run build` first"
    graph = {
        "nodes": [
            _node("start", "manual_trigger", 0, 0, {}),
            _node("greet", "transform", 320, 0, {"mapping": {"text": "hi"}}),
            # Far off to the side and connected to nothing.
            _node("lonely", "transform", 2600, 1400, {"mapping": {"text": "never"}}),
        ],
        "edges": [{"id": "e1", "source": "start", "target": "greet"}],
    }
    workflow = WorkflowFactory(workspace=workspace, name="With a stray", graph=graph)
    seen = in_browser_thread(_publish_checks, live_server.url, user.username, workflow.name)
    assert seen["focused_first"]
    assert seen["axe"] == []
    assert seen["selected"] and seen["node_focused"]
    assert "lonely" in seen["panel"]
    assert seen["offset"][0] < 40 and seen["offset"][1] < 40, seen["offset"]
    workflow.refresh_from_db()
    assert workflow.published_version is not None


def _rotate(base_url: str, username: str, workflow_name: str) -> dict:
    with chromium() as context:
        page = _sign_in(context, base_url, username, workflow_name)
        page.click('[data-testid="node-start"]')
        panel = page.get_by_role("region", name="Webhook URLs")
        panel.get_by_role("button", name="Rotate signing secret").click()
        panel.get_by_role("button", name="Rotate now").click()
        field = panel.get_by_label("New signing secret (shown once)", exact=True)
        seen = {"secret": field.input_value(timeout=20_000)}
        page.screenshot(path=str(SHOTS / "webhook-secret-rotated.png"))
        page.reload()
        page.click('[data-testid="node-start"]')
        page.get_by_role("button", name="Rotate signing secret").wait_for(timeout=20_000)
        seen["after_reload"] = page.get_by_role("region", name="Webhook URLs").inner_text()
    return seen


def test_rotating_a_webhook_secret_shows_the_new_one_once(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `npm run build` first"
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={}, name="Signed"
    )
    trigger = Trigger.objects.get(workflow=workflow, node_id="start")
    old = trigger_secret(trigger=trigger)
    seen = in_browser_thread(_rotate, live_server.url, user.username, workflow.name)
    trigger.refresh_from_db()
    assert seen["secret"] == trigger_secret(trigger=trigger) != old
    assert seen["secret"] not in seen["after_reload"]
    assert AuditEvent.objects.filter(
        action="trigger.secret_rotated", target_id=str(trigger.id), actor=user
    ).exists()
