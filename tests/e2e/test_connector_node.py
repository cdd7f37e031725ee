"""A connector node built in a real browser against the real server and worker: add a
Connector operation node, pick the connector by typing, pick an operation, save without its
required parameter and try to run (the server's error shows at that field), fill it, pick the
credential, save, run, and see the node succeed against a local HTTP server standing in for the
connector. axe-core audits the panel with the pickers open."""

import pytest

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.credentials import services as credential_services
from apps.workflows.models import Workflow
from apps.workflows.tests.factories import WorkflowFactory
from config.env import var_path
from tests.e2e.browser import chromium, connect, in_browser_thread, sign_in
from tests.e2e.test_accessibility import AXE, _violations

pytestmark = pytest.mark.usefixtures("celery_worker")

TOKEN = "desk-e2e-token-5521"
START = {"id": "start", "type": "manual_trigger", "position": {"x": 0, "y": 0}, "data": {}}
CREATE = {
    "type": "object",
    "required": ["queue"],
    "properties": {"queue": {"type": "string", "description": "Queue name.", "x-in": "path"}},
}


def _build_and_run(base_url: str, username: str, name: str) -> dict:
    seen: dict = {}
    with chromium(bypass_csp=True) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("link", name=name).click()
        page.wait_for_selector('[data-testid="node-start"]', timeout=20_000)

        page.get_by_role("button", name="Connector operation").click()
        node = page.locator('[data-testid^="node-connector_operation"]')
        node.wait_for()
        seen["node"] = str(node.get_attribute("data-testid")).removeprefix("node-")
        panel = page.get_by_role("complementary", name="Node settings")
        # The trigger's main output into the new node.
        connect(page, "start", seen["node"])

        connector = panel.get_by_role("combobox", name="Connector")
        connector.click()
        page.keyboard.type("help")
        option = page.get_by_role("option", name="Helpdesk")
        option.wait_for(timeout=10_000)
        seen["connector option"] = option.inner_text()
        seen["axe with the list open"] = _violations(page)
        option.click()
        panel.get_by_role("combobox", name="Operation").click()
        page.keyboard.type("create")
        page.get_by_role("option", name="Create a ticket").click()
        panel.get_by_role("textbox", name="queue").wait_for(timeout=10_000)

        # A draft may lack the required parameter; a run refuses it, at its field.
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved as version 2.").wait_for(timeout=15_000)
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_role("dialog", name="Test run").get_by_role("button", name="Run").click()
        queue = panel.get_by_role("textbox", name="queue")
        field = panel.locator(".field", has=page.get_by_role("textbox", name="queue"))
        error = field.get_by_role("alert")
        error.wait_for(timeout=15_000)
        seen["error"] = error.inner_text()

        queue.click()
        page.keyboard.type("support")
        panel.get_by_label("Credential").select_option(label="Desk token")
        seen["axe"] = _violations(page)
        page.screenshot(path=str(var_path("e2e", "connector-node.png")))
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved as version 3.").wait_for(timeout=15_000)

        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_role("dialog", name="Test run").get_by_role("button", name="Run").click()
        page.wait_for_selector(
            f'[data-testid="node-{seen["node"]}"][data-run-status="succeeded"]', timeout=30_000
        )
        page.screenshot(path=str(var_path("e2e", "connector-node-run.png")))
    return seen


def test_build_a_connector_node_with_the_pickers_and_run_it(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    assert AXE.exists(), "axe-core is missing: run `make frontend-check` (npm ci) first"
    with LocalServer() as server:
        server.route("/v1/queues/support/tickets", Reply(status=201, body=b'{"id": 42}'))
        desk = ConnectorFactory(
            slug="desk",
            name="Helpdesk",
            base_url=server.url("/v1"),
            auth_schemes=[{"key": "token", "kind": "http_bearer"}],
            retry_policy={"max_attempts": 1},
        )
        OperationFactory(connector=desk, key="tickets.list", name="List tickets", path="/tickets")
        OperationFactory(
            connector=desk,
            key="tickets.create",
            name="Create a ticket",
            method="POST",
            path="/queues/{queue}/tickets",
            parameters_schema=CREATE,
        )
        ConnectorFactory(slug="mailer", name="Mailer")
        credential_services.credential_create(
            workspace=workspace,
            actor=user,
            name="Desk token",
            kind="bearer",
            secret={"token": TOKEN},
            connector=desk,
        )
        workflow = WorkflowFactory(
            workspace=workspace, name="Tickets", graph={"nodes": [START], "edges": []}
        )
        seen = in_browser_thread(_build_and_run, live_server.url, user.username, workflow.name)
        calls = [(r.method, r.path, r.header("authorization")) for r in server.requests]

    assert "Connected" in seen["connector option"]
    assert seen["error"] == "Required by desk.tickets.create."
    assert seen["axe with the list open"] == [] and seen["axe"] == []
    assert calls == [("POST", "/v1/queues/support/tickets", f"Bearer {TOKEN}")]
    workflow = Workflow.objects.get(pk=workflow.pk)
    node = next(n for n in workflow.graph["nodes"] if n["id"] == seen["node"])
    config = node["data"]["config"]
    assert (config["connector"], config["operation"]) == ("desk", "tickets.create")
    assert config["parameters"] == {"queue": "support"}
    assert config["credential_id"]
    assert workflow.graph["edges"][0]["source"] == "start"
