"""The Monitoring page in a real browser over runs a real worker executed: three succeed, one
fails; the page's totals, success rate, per-workflow durations and failing node match them."""

import re

import pytest

from apps.workflows.models import Execution
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

FAILING = {
    "nodes": [
        {
            "id": "start",
            "type": "manual_trigger",
            "position": {"x": 0, "y": 0},
            "data": {"config": {}},
        },
        {
            "id": "check",
            "type": "stop_and_fail",
            "position": {"x": 300, "y": 0},
            "data": {"config": {"message": "No customer with that name"}},
        },
    ],
    "edges": [{"id": "e1", "source": "start", "target": "check"}],
}


def _continuous_percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _read_the_page(base_url: str, username: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 1400})
        sign_in(page, f"{base_url}/app/monitoring?range=1h", username)  # the login comes back here
        runs = page.get_by_role("region", name="Runs")
        runs.get_by_text("Success rate", exact=True).wait_for(timeout=30_000)
        seen["runs"] = runs.locator("dl").inner_text()
        per_workflow = page.get_by_role("region", name="Duration per workflow")
        per_workflow.locator("tbody tr").first.wait_for(timeout=30_000)
        seen["workflows"] = per_workflow.locator("tbody tr").all_inner_texts()
        failing = page.get_by_role("region", name="Most failing nodes")
        failing.locator("tbody tr").first.wait_for(timeout=30_000)
        seen["failing"] = failing.locator("tbody tr").all_inner_texts()
        seen["bars"] = page.locator(".recharts-bar-rectangle").count()
        page.screenshot(path=str(SHOTS / "monitoring.png"), full_page=True)
        # A failing node's workflow opens the runs list, filtered.
        failing.get_by_role("link", name="Breaks").click()
        page.wait_for_url("**/app/executions?workflow=*&status=failed")
        page.locator("tbody tr").first.wait_for(timeout=20_000)
        seen["failed_runs"] = page.locator("tbody tr").all_inner_texts()
        seen["runs_heading"] = page.get_by_role("heading", level=1).inner_text()
    return seen


def test_the_monitoring_page_matches_the_runs(live_server, user, workspace, api):
    ok = WorkflowFactory(workspace=workspace, name="Greets", graph=SIMPLE_GRAPH)
    breaks = WorkflowFactory(workspace=workspace, name="Breaks", graph=FAILING)
    ids = [
        api.post(
            f"/api/v1/workflows/{workflow.id}/run/",
            {"draft": True, "input": {"name": "Ada"}},
            format="json",
        ).json()["id"]
        for workflow in (ok, ok, ok, breaks)
    ]
    wait_for(
        lambda: Execution.objects.filter(pk__in=ids, status__in=Execution.FINISHED).count() == 4,
        timeout=60,
    )
    runs = {str(run.id): run for run in Execution.objects.filter(pk__in=ids)}
    assert [runs[i].status for i in ids] == ["succeeded"] * 3 + ["failed"]
    durations = [runs[i].duration_ms for i in ids[:3]]

    seen = in_browser_thread(_read_the_page, live_server.url, user.username)

    figures = dict(
        re.findall(r"(Total runs|Success rate|Succeeded|Failed)\n([^\n]+)", seen["runs"])
    )
    assert figures == {
        "Total runs": "4",
        "Success rate": "75.0 %",
        "Succeeded": "3",
        "Failed": "1",
    }
    by_name = {row.split("\t")[0]: row.split("\t") for row in seen["workflows"]}
    assert by_name["Greets"][1:4] == ["3", "0", "100.0 %"]
    assert by_name["Breaks"][1:4] == ["1", "1", "0.0 %"]
    value, unit = by_name["Greets"][4].split(" ")
    shown_p50 = float(value) * {"ms": 1, "s": 1000}[unit]
    assert abs(shown_p50 - _continuous_percentile(durations, 0.5)) <= 1
    assert len(seen["failing"]) == 1
    assert seen["failing"][0].split("\t")[:3] == ["Breaks", "check stop_and_fail", "1"]
    assert "No customer with that name" in seen["failing"][0]
    assert seen["bars"] >= 2  # succeeded and failed stacks of the last minutes
    assert seen["runs_heading"] == "Runs of Breaks"
    assert len(seen["failed_runs"]) == 1 and seen["failed_runs"][0].startswith("Failed")
