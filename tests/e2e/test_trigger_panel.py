"""A webhook trigger node shows its URLs with copy buttons, in a real browser."""

from apps.triggers.models import Trigger
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in

GRAPH = {
    "nodes": [
        {
            "id": "hook",
            "type": "webhook_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        },
        {
            "id": "greet",
            "type": "transform",
            "position": {"x": 320, "y": 0},
            "data": {"config": {"mapping": {"text": "Hello {{ trigger.body.name }}"}}},
        },
    ],
    "edges": [{"id": "e1", "source": "hook", "target": "greet"}],
}


def _open_the_webhook_node(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("link", name=workflow_name).click()
        page.click('[data-testid="node-hook"]')
        panel = page.get_by_role("region", name="Webhook URLs")
        panel.get_by_role("button", name="Get a test URL").click()
        seen["test_url"] = panel.get_by_label("Test URL", exact=True).input_value(timeout=20_000)
        seen["production_url"] = panel.get_by_label("Production URL", exact=True).input_value()
        panel.get_by_role("button", name="Copy test url").click()
        panel.get_by_text("Copied").wait_for()
        seen["clipboard"] = page.evaluate("navigator.clipboard.readText()")
        page.screenshot(path=str(SHOTS / "trigger-panel.png"))
    return seen


def test_the_webhook_node_shows_its_urls_and_copies_them(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    workflow = WorkflowFactory(workspace=workspace, name="Hooked", graph=GRAPH)
    seen = in_browser_thread(_open_the_webhook_node, live_server.url, user.username, workflow.name)
    trigger = Trigger.objects.get(workflow=workflow, node_id="hook")
    assert seen["test_url"].startswith(live_server.url)
    assert trigger.test_token in seen["test_url"]
    assert trigger.webhook_token in seen["production_url"]
    assert seen["clipboard"] == seen["test_url"]
