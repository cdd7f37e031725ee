"""Inline parameters in a real browser: an HTTP node's URL edited on the node card and a
header row added in the key-value editor survive a save and a reload."""

import copy

import pytest

from apps.workflows.models import Workflow
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in

GRAPH = {
    "nodes": [
        {
            "id": "start",
            "type": "manual_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        },
        {
            "id": "fetch",
            "type": "http_request",
            "position": {"x": 260, "y": 0},
            "data": {"config": {"url": "https://example.com/old"}},
        },
    ],
    "edges": [{"id": "e1", "source": "start", "target": "fetch"}],
}


@pytest.fixture(autouse=True)
def _built(settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `npm run build` first"


def _edit_save_reload(base_url: str, username: str, name: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("link", name=name).click()
        node = page.get_by_test_id("node-fetch")
        url = node.get_by_label("Url of node fetch")
        url.wait_for(timeout=20_000)
        box_before = node.bounding_box()
        url.fill("https://example.com/items")
        # Typing on the card must not drag the node (the input is `nodrag`).
        url.press("End")
        seen["moved"] = node.bounding_box() != box_before
        node.locator(".block-node__title").click()
        headers = page.get_by_role("group", name="Headers")
        headers.get_by_role("button", name="Add").click()
        headers.get_by_label("Headers 1 name").fill("X-Trace")
        headers.get_by_label("Headers 1 value").fill("abc-123")
        page.screenshot(path=str(SHOTS / "inline-params-edited.png"))
        page.keyboard.press("Control+s")
        page.get_by_text("Saved as version 2.").wait_for()
        page.reload()
        url = page.get_by_test_id("node-fetch").get_by_label("Url of node fetch")
        url.wait_for(timeout=20_000)
        seen["url"] = url.input_value()
        page.get_by_test_id("node-fetch").locator(".block-node__title").click()
        headers = page.get_by_role("group", name="Headers")
        seen["header"] = (
            headers.get_by_label("Headers 1 name").input_value(),
            headers.get_by_label("Headers 1 value").input_value(),
        )
        page.screenshot(path=str(SHOTS / "inline-params-reloaded.png"))
    return seen


def test_inline_url_and_header_row_survive_save_and_reload(live_server, user, workspace):
    workflow = WorkflowFactory(workspace=workspace, name="Inline", graph=copy.deepcopy(GRAPH))
    seen = in_browser_thread(_edit_save_reload, live_server.url, user.username, workflow.name)
    assert seen["url"] == "https://example.com/items"
    assert seen["header"] == ("X-Trace", "abc-123")
    assert seen["moved"] is False
    saved = Workflow.objects.get(pk=workflow.pk).graph["nodes"][1]["data"]["config"]
    assert saved["url"] == "https://example.com/items"
    assert saved["headers"] == {"X-Trace": "abc-123"}
