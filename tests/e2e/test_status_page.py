"""The Status page in a real browser after a real run: a workflow's connector operations call a
local server (200, 200, 500, 429) through the worker, and the page shows those calls."""

from itertools import pairwise

import pytest

from apps.connectors.models import ConnectorCallBucket
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.credentials import services as credential_services
from apps.workflows.models import Execution
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

CALLS = [("ok1", "items"), ("ok2", "items"), ("broken", "fail"), ("limited", "limited")]


def _graph(credential_id: str) -> dict:
    nodes = [{"id": "start", "type": "manual_trigger", "position": {"x": 0, "y": 0}, "data": {}}]
    for index, (node, operation) in enumerate(CALLS, start=1):
        config = {
            "connector": "acme",
            "operation": operation,
            "credential_id": credential_id,
            "fail_on_status": False,  # the run goes on: every call is made exactly once
        }
        nodes.append(
            {
                "id": node,
                "type": "connector_operation",
                "position": {"x": 260 * index, "y": 0},
                "data": {"config": config},
            }
        )
    ids = [node["id"] for node in nodes]
    edges = [{"id": f"e{i}", "source": a, "target": b} for i, (a, b) in enumerate(pairwise(ids))]
    return {"nodes": nodes, "edges": edges}


def _read_the_status_page(base_url: str, username: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/status?range=1h", username)  # the login comes back here
        row = page.locator("tr", has=page.get_by_role("button", name="Acme", exact=True))
        row.wait_for(timeout=20_000)
        seen["cells"] = row.get_by_role("cell").all_inner_texts()
        logs = page.get_by_role("button", name="View logs of Acme")
        logs.focus()
        page.keyboard.press("Enter")  # keyboard reachable
        page.get_by_role("heading", name="Recent failures").wait_for(timeout=20_000)
        page.get_by_role("img", name="4 calls of Acme, per minute", exact=False).wait_for()
        seen["log"] = page.locator(".status-log").inner_text()
        page.screenshot(path=str(SHOTS / "status-page.png"), full_page=True)
    return seen


def test_the_status_page_shows_the_calls_of_a_real_run(live_server, user, workspace, api):
    with LocalServer() as server:
        server.route("/v1/items", Reply(status=200, body=b'{"items": []}', delay=0.15))
        server.route("/v1/fail", Reply(status=500, body=b"{}"))
        server.route("/v1/limited", Reply(status=429, body=b"{}"))
        acme = ConnectorFactory(
            slug="acme", name="Acme", base_url=server.url("/v1"), retry_policy={"max_attempts": 1}
        )
        for key in ("items", "fail", "limited"):
            OperationFactory(connector=acme, key=key, path=f"/{key}")
        credential = credential_services.credential_create(
            workspace=workspace,
            actor=user,
            name="Acme token",
            kind="bearer",
            secret={"token": "acme-secret-token"},
            connector=acme,
        )
        workflow = WorkflowFactory(workspace=workspace, graph=_graph(str(credential.pk)))
        answer = api.post(f"/api/v1/workflows/{workflow.id}/run/", {"draft": True}, format="json")
        assert answer.status_code == 202, answer.json()
        run = wait_for(
            lambda: Execution.objects.filter(
                pk=answer.json()["id"], status__in=Execution.FINISHED
            ).first()
        )
        assert run.status == "succeeded"
        assert [r.path for r in server.requests] == [
            "/v1/items",
            "/v1/items",
            "/v1/fail",
            "/v1/limited",
        ]

    [row] = ConnectorCallBucket.objects.filter(workspace=workspace, connector="acme")
    assert (row.calls, row.failures, row.rate_limited, row.le_250ms) == (4, 1, 1, 2)
    figures = api.get("/api/v1/connectors/status/", {"workspace": str(workspace.pk)}).json()[
        "connectors"
    ][0]["figures"]

    seen = in_browser_thread(_read_the_status_page, live_server.url, user.username)
    calls, failed, limited, rate, p95 = seen["cells"][:5]
    assert (calls, failed, limited, rate) == ("4", "1", "1", "50 %")
    assert p95 == f"{figures['p95_ms']} ms"
    assert "Acme token" in seen["cells"][7] and "Connected" in seen["cells"][7]
    # One line per minute with failures (the run may straddle two), the minute's last error.
    assert "1 rate limited" in seen["log"] and "HTTP 429" in seen["log"]
    assert (SHOTS / "status-page.png").stat().st_size > 10_000
