"""The expression editor in a real browser against the real server and worker: after a test
run, type `{{ ` in a node's text field, pick an upstream node's field from the autocomplete
with the keyboard, see the server's preview of its value on that run's data, and see the
warning a reference to a node that does not exist gets; then pin data for the node's test and
see the preview use it."""

import pytest

from apps.workflows.tests.factories import WorkflowFactory
from config.env import var_path
from tests.e2e.browser import chromium, in_browser_thread, sign_in

pytestmark = pytest.mark.usefixtures("celery_worker")

PICK = "nodes.greet.output.text"
# The editor injects its styles: under the page's policy only with the page's nonce.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));
"""
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
        # A block with a plain text field (its message), downstream of `greet`.
        {
            "id": "stop",
            "type": "stop_and_fail",
            "position": {"x": 600, "y": 0},
            "data": {"config": {"message": "done"}},
        },
    ],
    "edges": [
        {"id": "e1", "source": "start", "target": "greet"},
        {"id": "e2", "source": "greet", "target": "stop"},
    ],
}


def _selected(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(".cm-tooltip-autocomplete li[aria-selected]").inner_text()


def _pick_a_field(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        context.add_init_script(WATCH)
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("link", name=workflow_name).click()
        page.wait_for_selector('[data-testid="node-stop"]', timeout=20_000)

        # A test run gives the preview its data.
        page.get_by_role("button", name="Run", exact=True).click()
        dialog = page.get_by_role("dialog", name="Test run")
        dialog.get_by_label("Input (JSON object)").fill('{"name": "Ada"}')
        dialog.get_by_role("button", name="Run").click()
        page.wait_for_selector(
            '[data-testid="node-greet"][data-run-status="succeeded"]', timeout=30_000
        )

        page.click('[data-testid="node-stop"]')
        field = page.get_by_role("textbox", name="Message")
        field.click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.type("{{ ")
        page.wait_for_selector(".cm-tooltip-autocomplete", timeout=10_000)
        # CodeMirror leaves keys to the text for 75 ms after the list opens (its
        # interactionDelay): an arrow sooner moves the cursor and closes the list.
        page.wait_for_timeout(150)
        seen["offered"] = page.locator(".cm-tooltip-autocomplete li").all_inner_texts()
        for _ in range(len(seen["offered"])):
            if _selected(page).startswith(PICK):
                break
            page.keyboard.press("ArrowDown")
        seen["selected"] = _selected(page)
        page.keyboard.press("Enter")
        seen["text"] = field.inner_text()
        preview = page.get_by_test_id("expression-preview")
        preview.wait_for(timeout=15_000)
        seen["preview"] = preview.inner_text()
        page.screenshot(path=str(var_path("e2e", "expression-editor.png")))

        page.keyboard.press("End")
        page.keyboard.type(" and {{ nodes.ghost.output }}")
        page.keyboard.press("Escape")
        warning = page.locator(".field__warning")
        warning.wait_for(timeout=10_000)
        seen["warning"] = warning.inner_text()
        seen["focused_label"] = page.evaluate("document.activeElement.getAttribute('aria-label')")
        page.screenshot(path=str(var_path("e2e", "expression-editor-warning.png")))
        seen["violations"] = page.evaluate("window.__csp")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved as version").wait_for(timeout=15_000)

        # Data pinned for this node's test comes before the run's, in the preview too.
        page.get_by_text("Test this node").click()
        page.get_by_label("Pinned data (JSON)").fill('{"nodes": {"greet": {"text": "Hi Pin"}}}')
        page.wait_for_function(
            "() => document.querySelector('[data-testid=expression-preview]')"
            "?.textContent.startsWith('Hi Pin and')",
            timeout=15_000,
        )
        seen["pinned preview"] = page.get_by_test_id("expression-preview").inner_text()
    return seen


def test_pick_an_upstream_field_preview_it_and_see_a_bad_reference(
    live_server, user, workspace, settings
):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    workflow = WorkflowFactory(workspace=workspace, name="Expressions e2e", graph=GRAPH)
    seen = in_browser_thread(_pick_a_field, live_server.url, user.username, workflow.name)

    # Offered: the trigger and its fields from the run, the upstream nodes and their fields;
    # not the node itself.
    assert any(o.startswith("trigger.name") for o in seen["offered"])
    assert any(o.startswith(PICK) for o in seen["offered"])
    assert not any(o.startswith("nodes.stop") for o in seen["offered"])
    assert seen["selected"].startswith(PICK)
    assert seen["text"] == "{{ nodes.greet.output.text }}"
    assert seen["preview"] == "Hello Ada"
    assert seen["pinned preview"].startswith("Hi Pin and")
    assert 'No node "ghost" in this workflow.' in seen["warning"]
    assert seen["focused_label"] == "Message"
    assert seen["violations"] == []
    workflow.refresh_from_db()
    stop = next(n for n in workflow.graph["nodes"] if n["id"] == "stop")
    assert stop["data"]["config"]["message"] == (
        "{{ nodes.greet.output.text }} and {{ nodes.ghost.output }}"
    )
