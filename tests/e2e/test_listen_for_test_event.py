"""Issue 12: "Listen for test event" on a webhook node waits for the next call to the draft's
test URL and follows the run it started on the canvas, in a real browser with a real worker."""

import json
import urllib.request

import pytest

from apps.workflows.models import Execution
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in

pytestmark = pytest.mark.usefixtures("celery_worker")

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


def _listen(base_url: str, username: str, workflow_id: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/workflows/{workflow_id}", username)
        page.click('[data-testid="node-hook"]', timeout=20_000)
        urls = page.get_by_role("region", name="Webhook URLs")
        urls.get_by_role("button", name="Get a test URL").click()
        test_url = urls.get_by_label("Test URL", exact=True).input_value(timeout=20_000)
        panel = page.get_by_role("complementary", name="Node settings")
        panel.get_by_role("button", name="Listen for test event").click()
        panel.get_by_text("Waiting for a call to the test URL").wait_for(timeout=10_000)
        page.screenshot(path=str(SHOTS / "listen-1-waiting.png"))
        delivery = urllib.request.Request(  # noqa: S310 (the live server on 127.0.0.1)
            test_url,
            data=json.dumps({"name": "Ada"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(delivery, timeout=10) as answer:  # noqa: S310
            seen["delivery_status"] = answer.status
        page.wait_for_selector(
            '[data-testid="node-greet"][data-run-status="succeeded"]', timeout=30_000
        )
        seen["run_link"] = page.get_by_role("link", name="Open run").get_attribute("href")
        seen["listening_after"] = panel.get_by_text("Waiting for a call").count()
        page.screenshot(path=str(SHOTS / "listen-2-followed.png"))
    return seen


def test_listen_for_a_test_event_and_follow_its_run(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `npm run build` first"
    workflow = WorkflowFactory(workspace=workspace, name="Hooked", graph=GRAPH)
    seen = in_browser_thread(_listen, live_server.url, user.username, str(workflow.id))
    run = Execution.objects.get(workflow=workflow)
    assert seen["delivery_status"] == 202
    assert run.mode == "test" and run.status == "succeeded"
    assert seen["run_link"] == f"/app/executions/{run.pk}"
    assert seen["listening_after"] == 0
