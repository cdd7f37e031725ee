"""The whole stack in a real browser: sign in, find a workflow, open the canvas, run it."""

import copy

import pytest

from apps.workflows.models import Execution
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from config.env import var_path
from tests.e2e.browser import chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


def _sign_in_open_and_run(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("link", name=workflow_name).click()
        page.wait_for_selector(".react-flow__node", timeout=20_000)
        seen["nodes"] = sorted(
            page.eval_on_selector_all(
                ".react-flow__node", "els => els.map(e => e.getAttribute('data-id'))"
            )
        )
        page.screenshot(path=str(var_path("e2e", "canvas.png")))
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_role("dialog").get_by_role("button", name="Run", exact=True).click()
        page.wait_for_timeout(1000)
    return seen


def test_sign_in_open_the_canvas_and_run(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    workflow = WorkflowFactory(
        workspace=workspace, name="Browser smoke", graph=copy.deepcopy(SIMPLE_GRAPH)
    )
    seen = in_browser_thread(_sign_in_open_and_run, live_server.url, user.username, workflow.name)
    assert seen["nodes"] == ["greet", "start"]
    execution = wait_for(lambda: Execution.objects.filter(workflow=workflow).first())
    assert execution.mode == "test"  # the editor's Run is a test run of the draft
    execution = wait_for(
        lambda: Execution.objects.filter(pk=execution.pk, status__in=Execution.FINISHED).first()
    )
    assert execution.status == "succeeded"
