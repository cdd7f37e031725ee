"""A failed run's page in a real browser: the failed node in red with its error message, the
node the run never reached dimmed, the failure in the history."""

import pytest

from apps.workflows.models import Execution
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
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
            "id": "greet",
            "type": "transform",
            "position": {"x": 300, "y": 0},
            "data": {"config": {"mapping": {"text": "Hello {{ trigger.name }}"}}},
        },
        {
            "id": "fail",
            "type": "stop_and_fail",
            "position": {"x": 600, "y": 0},
            "data": {"config": {"message": "No customer with that name"}},
        },
        {
            "id": "never",
            "type": "transform",
            "position": {"x": 900, "y": 0},
            "data": {"config": {"mapping": {"a": 1}}},
        },
    ],
    "edges": [
        {"id": "e1", "source": "start", "target": "greet"},
        {"id": "e2", "source": "greet", "target": "fail"},
        {"id": "e3", "source": "fail", "target": "never"},
    ],
}


def _open_the_failed_run(base_url: str, username: str, run_id: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/executions/{run_id}", username)  # the login comes back here
        page.wait_for_selector(
            '[data-testid="node-fail"][data-run-status="failed"]', timeout=20_000
        )
        seen["never_class"] = page.get_attribute('[data-testid="node-never"]', "class")
        page.click('[data-testid="node-fail"]')
        panel = page.get_by_role("complementary", name="Step details")
        seen["error"] = panel.get_by_role("alert").inner_text()
        page.screenshot(path=str(SHOTS / "run-detail-failed.png"))
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
        page.get_by_label("Status").select_option("failed")
        page.wait_for_url("**status=failed**")
        page.locator("tbody tr").get_by_text("Failed").first.wait_for(timeout=20_000)
        seen["rows"] = page.locator("tbody tr").all_inner_texts()
    return seen


def test_a_failed_run_shows_where_and_why(live_server, user, workspace, api):
    workflow = WorkflowFactory(workspace=workspace, name="Failing one", graph=GRAPH)
    run_id = api.post(
        f"/api/v1/workflows/{workflow.id}/run/",
        {"draft": True, "input": {"name": "Ada"}},
        format="json",
    ).json()["id"]
    run = wait_for(
        lambda: Execution.objects.filter(pk=run_id, status__in=Execution.FINISHED).first()
    )
    assert run.status == "failed"
    seen = in_browser_thread(_open_the_failed_run, live_server.url, user.username, run_id)
    assert "block-node--not-reached" in seen["never_class"]
    assert "No customer with that name" in seen["error"]
    assert len(seen["rows"]) == 1 and "Failing one" in seen["rows"][0]
