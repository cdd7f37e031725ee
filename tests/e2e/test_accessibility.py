"""axe-core in Debian's Chromium over the pages users work in: no serious or critical
violation of WCAG 2.x A/AA on the editor, a run's detail, the run history and the
connect-and-manage pages, the dashboards and the connect wizard.

axe-core comes from the frontend's own dev dependencies (`npm ci` installs it); it is
injected into each page as a script, so nothing is downloaded.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.workflows.models import Execution
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from tests.e2e.browser import chromium, in_browser_thread, sign_in
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
HTTP_GRAPH = {
    "nodes": [
        {"id": "start", "type": "manual_trigger", "position": {"x": 0, "y": 0}, "data": {}},
        {
            "id": "call",
            "type": "http_request",
            "position": {"x": 300, "y": 0},
            "data": {"config": {"method": "GET", "url": "https://example.com/items"}},
        },
    ],
    "edges": [{"id": "e1", "source": "start", "target": "call"}],
}


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def _audit(base_url: str, username: str, pages: dict[str, tuple[str, ...]]) -> dict:
    """Each page: (path, a selector it is ready at[, a selector to click first, then ready])."""
    found: dict = {}
    with chromium(bypass_csp=True) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        for name, (path, ready, *then) in pages.items():
            page.goto(f"{base_url}{path}")
            try:
                page.wait_for_selector(ready, timeout=20_000)
                if then:
                    page.click(ready)
                    page.wait_for_selector(then[0], timeout=20_000)
            except PlaywrightTimeout as exc:
                raise AssertionError(f"{name} ({path}) did not show {ready!r}") from exc
            page.wait_for_load_state("networkidle")
            found[name] = _violations(page)
    return found


def test_no_serious_accessibility_violation(live_server, user, workspace, api):
    assert AXE.exists(), "axe-core is missing: run `make frontend-check` (npm ci) first"
    workflow = WorkflowFactory(workspace=workspace, name="Audited", graph=SIMPLE_GRAPH)
    assert (
        api.post(f"/api/v1/workflows/{workflow.id}/publish/", {}, format="json").status_code == 201
    )
    http = WorkflowFactory(workspace=workspace, name="HTTP", graph=HTTP_GRAPH)
    run_id = api.post(
        f"/api/v1/workflows/{workflow.id}/run/", {"draft": True, "input": {}}, format="json"
    ).json()["id"]
    OperationFactory(
        connector=ConnectorFactory(
            slug="acme",
            name="Acme",
            auth_schemes=[
                {"key": "key", "kind": "api_key", "location": "header", "name": "X-Api-Key"}
            ],
        )
    )
    wait_for(lambda: Execution.objects.filter(pk=run_id, status__in=Execution.FINISHED).first())
    pages = {
        "editor": (f"/app/workflows/{workflow.id}", ".react-flow__node"),
        # An HTTP node's settings: expression fields (CodeMirror), key-value editors, the
        # request preview.
        "node settings": (
            f"/app/workflows/{http.id}",
            '[data-testid="node-call"]',
            'aside[aria-label="Node settings"] .cm-editor',
        ),
        "run detail": (f"/app/executions/{run_id}", ".react-flow__node"),
        "history": ("/app/executions", "tbody tr"),
        "versions": (f"/app/workflows/{workflow.id}/versions", "tbody tr"),
        "workflows": ("/app/", "main"),
        "connectors": ("/app/connectors", "main"),
        "credentials": ("/app/credentials", "main"),
        "members": ("/app/members", "main"),
        "monitoring": ("/app/monitoring", "main h1"),
        "status": ("/app/status", "main h1"),
        "connect wizard": ("/app/connectors/acme/connect", "main h1"),
    }
    found = in_browser_thread(_audit, live_server.url, user.username, pages)
    assert set(found) == set(pages)
    assert not any(found.values()), json.dumps(found, indent=1)
