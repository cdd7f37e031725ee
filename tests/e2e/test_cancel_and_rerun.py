"""Cancel a waiting run from its page and run it again, in a real browser with a real worker."""

import pytest

from apps.workflows.models import Execution
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

GRAPH = {
    "nodes": [
        {
            "id": "start",
            "type": "manual_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        },
        {
            "id": "pause",
            "type": "delay",
            "position": {"x": 300, "y": 0},
            "data": {"config": {"seconds": 600}},
        },
    ],
    "edges": [{"id": "e1", "source": "start", "target": "pause"}],
}


def _cancel_and_rerun(base_url: str, username: str, run_id: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        sign_in(page, f"{base_url}/app/executions/{run_id}", username)
        page.wait_for_selector(
            '[data-testid="node-pause"][data-run-status="waiting"]', timeout=20_000
        )
        seen["rerun_while_live"] = page.get_by_role("button", name="Re-run").is_disabled()
        page.get_by_role("button", name="Cancel run").click()
        page.locator(".toolbar").get_by_text("Cancelled").wait_for(timeout=20_000)
        page.get_by_role("button", name="Re-run").click()
        page.wait_for_url(lambda url: "/app/executions/" in url and run_id not in url)
        seen["rerun_url"] = page.url
        page.wait_for_selector(
            '[data-testid="node-start"][data-run-status="succeeded"]', timeout=20_000
        )
    return seen


def test_cancel_a_waiting_run_and_run_it_again(live_server, user, workspace, api):
    workflow = WorkflowFactory(workspace=workspace, name="Slow one", graph=GRAPH)
    run_id = api.post(
        f"/api/v1/workflows/{workflow.id}/run/", {"draft": True, "input": {"n": 1}}, format="json"
    ).json()["id"]
    wait_for(lambda: Execution.objects.filter(pk=run_id, status="waiting").first())
    seen = in_browser_thread(_cancel_and_rerun, live_server.url, user.username, run_id)
    assert seen["rerun_while_live"] is True
    assert Execution.objects.get(pk=run_id).status == "cancelled"
    rerun = Execution.objects.exclude(pk=run_id).get(workflow=workflow)
    assert seen["rerun_url"].endswith(f"/app/executions/{rerun.pk}")
    assert rerun.input == {"n": 1} and rerun.mode == "retry"
    Execution.objects.filter(pk=rerun.pk).update(status="cancelled")  # no wake-up after the test
