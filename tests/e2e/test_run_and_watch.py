"""Run and watch, in a real browser against the real server and a real worker: run a workflow
from the editor with an input typed in the run dialog, watch its nodes turn green, find the run
in the history, open it and reload its page."""

import pytest

from apps.workflows.models import Execution
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

NODES = ["start", "pause", "greet", "out"]
GRAPH = {
    "nodes": [
        {
            "id": "start",
            "type": "manual_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        },
        # A short wait, so the run is seen in progress before it finishes.
        {
            "id": "pause",
            "type": "delay",
            "position": {"x": 300, "y": 0},
            "data": {"config": {"seconds": 2}},
        },
        {
            "id": "greet",
            "type": "transform",
            "position": {"x": 600, "y": 0},
            "data": {"config": {"mapping": {"text": "Hello {{ trigger.name }}"}}},
        },
        {
            "id": "out",
            "type": "set_output",
            "position": {"x": 900, "y": 0},
            "data": {"config": {"values": {"greeting": "{{ nodes.greet.output.text }}"}}},
        },
    ],
    "edges": [
        {"id": "e1", "source": "start", "target": "pause"},
        {"id": "e2", "source": "pause", "target": "greet"},
        {"id": "e3", "source": "greet", "target": "out"},
    ],
}


def _all_green(page) -> None:  # type: ignore[no-untyped-def]
    for node in NODES:
        page.wait_for_selector(
            f'[data-testid="node-{node}"][data-run-status="succeeded"]', timeout=30_000
        )


def _run_and_watch(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("link", name=workflow_name).click()
        page.wait_for_selector('[data-testid="node-out"]', timeout=20_000)

        # The run dialog: a syntax error is shown and blocks the run; a valid object runs.
        page.get_by_role("button", name="Run", exact=True).click()
        dialog = page.get_by_role("dialog", name="Test run")
        box = dialog.get_by_label("Input (JSON object)")
        box.fill('{"name": "Ada",}')
        seen["syntax_error"] = dialog.get_by_role("alert").inner_text()
        seen["run_disabled"] = dialog.get_by_role("button", name="Run").is_disabled()
        box.fill('{"name": "Ada"}')
        dialog.get_by_role("button", name="Run").click()

        # Live on the canvas: the trigger finishes while the delay still waits.
        page.wait_for_selector(
            '[data-testid="node-start"][data-run-status="succeeded"]', timeout=20_000
        )
        page.wait_for_timeout(300)
        seen["during"] = {
            n: page.get_attribute(f'[data-testid="node-{n}"]', "data-run-status") for n in NODES
        }
        page.screenshot(path=str(SHOTS / "editor-during-run.png"))
        _all_green(page)
        seen["banner"] = page.locator(".run-banner").inner_text()
        page.screenshot(path=str(SHOTS / "editor-after-run.png"))

        # The history lists it; its row opens the run's page.
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
        row = page.locator("tbody tr").first
        row.get_by_text("Succeeded").wait_for(timeout=20_000)
        seen["row"] = row.inner_text()
        page.screenshot(path=str(SHOTS / "history.png"))
        row.get_by_text("View run").click()
        page.wait_for_url("**/app/executions/*")
        seen["detail_url"] = page.url
        _all_green(page)
        page.click('[data-testid="node-greet"]')
        seen["greet_output"] = page.get_by_role("complementary", name="Step details").inner_text()
        page.screenshot(path=str(SHOTS / "run-detail.png"))

        # The detail survives a reload.
        page.reload()
        _all_green(page)
        seen["reloaded_heading"] = page.get_by_role("heading", level=1).inner_text()
        seen["reloaded_url"] = page.url
    seen["streamed"] = any(url.endswith("/stream/") for url in requests)
    seen["polled_steps"] = any("/steps/" in url for url in requests)
    return seen


def test_run_with_input_watch_it_and_open_it_from_the_history(
    live_server, user, workspace, settings
):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    workflow = WorkflowFactory(workspace=workspace, name="Greeter e2e", graph=GRAPH)
    seen = in_browser_thread(_run_and_watch, live_server.url, user.username, workflow.name)

    assert seen["syntax_error"].startswith("Not valid JSON")
    assert seen["run_disabled"] is True
    assert seen["during"]["start"] == "succeeded"
    assert seen["during"]["greet"] is None  # not reached while the delay waits
    assert "succeeded" in seen["banner"]
    assert "Greeter e2e" in seen["row"] and "Test (draft)" in seen["row"]
    assert "Hello Ada" in seen["greet_output"]
    assert seen["reloaded_url"] == seen["detail_url"]
    # Live updates came over server-sent events; the polling fallback was never needed.
    assert seen["streamed"] and not seen["polled_steps"]
    assert "Run of Greeter e2e" in seen["reloaded_heading"]

    execution = wait_for(lambda: Execution.objects.filter(workflow=workflow).first())
    assert seen["detail_url"].endswith(f"/app/executions/{execution.pk}")
    assert execution.status == "succeeded"
    assert execution.input == {"name": "Ada"}
    assert execution.output == {"greeting": "Hello Ada"}
