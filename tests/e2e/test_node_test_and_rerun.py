"""Issue 12 in a real browser with a real worker: a run fails at an HTTP node whose server
fails once; "Re-run from here" on that node turns it green; "Test this node" with pinned data
shows the node's output."""

import pytest

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.workflows.models import Execution
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

NO_RETRY = {"retry": {"max_attempts": 1}}  # the first failure fails the run


def _graph(url: str) -> dict:
    return {
        "nodes": [
            {
                "id": "start",
                "type": "manual_trigger",
                "position": {"x": 0, "y": 0},
                "data": {"config": {}},
            },
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 300, "y": 0},
                "data": {"config": {"method": "GET", "url": url}, "policies": NO_RETRY},
            },
            {
                "id": "greet",
                "type": "transform",
                "position": {"x": 600, "y": 0},
                "data": {"config": {"mapping": {"text": "Hello {{ trigger.name }}"}}},
            },
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "call"},
            {"id": "e2", "source": "call", "target": "greet"},
        ],
    }


def _rerun_and_test(base_url: str, username: str, workflow_id: str, run_id: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/executions/{run_id}", username)  # the login comes back here
        page.wait_for_selector(
            '[data-testid="node-call"][data-run-status="failed"]', timeout=20_000
        )
        page.click('[data-testid="node-call"]')
        panel = page.get_by_role("complementary", name="Step details")
        panel.get_by_role("button", name="Re-run from here").wait_for(timeout=10_000)
        page.screenshot(path=str(SHOTS / "node-rerun-1-failed.png"))
        panel.get_by_role("button", name="Re-run from here").click()
        page.wait_for_url(lambda url: "/app/executions/" in url and run_id not in url)
        seen["rerun_url"] = page.url
        page.wait_for_selector(
            '[data-testid="node-call"][data-run-status="succeeded"]', timeout=30_000
        )
        page.wait_for_selector(
            '[data-testid="node-greet"][data-run-status="succeeded"]', timeout=30_000
        )
        page.screenshot(path=str(SHOTS / "node-rerun-2-green.png"))

        # Test this node in the editor, against pinned data; bad JSON is shown at the field.
        page.goto(f"{base_url}/app/workflows/{workflow_id}")
        page.wait_for_selector('[data-testid="node-greet"]', timeout=20_000)
        page.click('[data-testid="node-greet"]')
        settings_panel = page.get_by_role("complementary", name="Node settings")
        settings_panel.get_by_text("Test this node").click()
        box = settings_panel.get_by_label("Pinned data (JSON)")
        box.fill('{"trigger": ')
        seen["bad_json"] = settings_panel.locator(".field__error").inner_text()
        seen["test_disabled"] = settings_panel.get_by_role("button", name="Test node").is_disabled()
        box.fill('{"trigger": {"name": "Ada"}}')
        settings_panel.get_by_role("button", name="Test node").click()
        result = settings_panel.get_by_role("region", name="Test result")
        result.get_by_text("Hello Ada").wait_for(timeout=20_000)
        seen["result"] = result.inner_text()
        result.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "node-test-result.png"))
    return seen


def test_rerun_from_the_failed_node_and_test_one_node(live_server, user, workspace, api, settings):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `npm run build` first"
    body = b'{"greeting": "hi"}'
    with LocalServer() as server:
        server.route(
            "/flaky",
            Reply(500, body=b"down"),
            Reply(200, headers={"Content-Type": "application/json"}, body=body),
        )
        settings.OUTBOUND_ALLOWLIST = [server.netloc]
        workflow = WorkflowFactory(
            workspace=workspace, name="Flaky", graph=_graph(server.url("/flaky"))
        )
        run_id = api.post(
            f"/api/v1/workflows/{workflow.id}/run/",
            {"draft": True, "input": {"name": "Ada"}},
            format="json",
        ).json()["id"]
        wait_for(lambda: Execution.objects.filter(pk=run_id, status="failed").first())
        seen = in_browser_thread(
            _rerun_and_test, live_server.url, user.username, str(workflow.id), run_id
        )
        calls = len(server.requests)

    assert calls == 2  # failed once, then the re-run's one call; the test-node made none
    rerun = Execution.objects.exclude(pk=run_id).get(workflow=workflow)
    assert seen["rerun_url"].endswith(f"/app/executions/{rerun.pk}")
    assert rerun.status == "succeeded"
    assert seen["bad_json"].startswith("Invalid JSON")
    assert seen["test_disabled"] is True
    assert "Succeeded" in seen["result"] and "Hello Ada" in seen["result"]
    # Testing a node records nothing.
    assert Execution.objects.filter(workflow=workflow).count() == 2
