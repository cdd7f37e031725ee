"""Issue 12's user story in one go, by mouse and keyboard in a real browser against the real
server and a real worker: from an empty workflow to a re-run from the failed node.

Create a workflow; add a webhook trigger and an HTTP request from the palette (one by click,
one by drag) and wire them; add a transform, wire it, then put a condition on that edge with
its "+"; add a second transform on the condition's false branch; fill each node's form (the
HTTP URL inline on the node, the condition builder, the key-value mapping); save; get the
webhook's test URL, listen for a test event and fire it; watch the HTTP node turn red (the
local server fails once); open the run, see the node's error, re-run from it, watch every
node on the path turn green with its duration; find both runs in the history.
"""

import json
import urllib.request

import pytest

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.workflows.models import Execution, Workflow
from tests.e2e.browser import SHOTS, chromium, connect, in_browser_thread, node, sign_in, still_box
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")

NAME = "Greet the caller"


def _open(page, node_id: str) -> None:  # type: ignore[no-untyped-def]
    """Select a node with the whole graph in view."""
    page.locator(".react-flow__controls-fitview").click()
    still_box(node(page, node_id))
    node(page, node_id).click()


def _add_from_palette(page, query: str, title: str) -> None:  # type: ignore[no-untyped-def]
    palette = page.get_by_role("complementary", name="Blocks")
    palette.get_by_label("Find a block").fill(query)
    palette.get_by_role("button", name=title, exact=True).click()


def _story(base_url: str, username: str, flaky_url: str, upstream: dict) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        try:
            sign_in(page, f"{base_url}/app/", username)
            page.get_by_role("heading", name="Workflows", exact=True).wait_for()

            # An empty workflow.
            page.get_by_role("button", name="New workflow").click()
            page.get_by_label("Name", exact=True).fill(NAME)
            page.get_by_role("button", name="Create").click()
            page.wait_for_url("**/app/workflows/**")
            page.get_by_role("complementary", name="Blocks").wait_for()

            # Webhook by click; HTTP request dragged onto the canvas; wired by mouse.
            _add_from_palette(page, "webhook", "Webhook")
            node(page, "webhook_trigger_1").wait_for()
            palette = page.get_by_role("complementary", name="Blocks")
            palette.get_by_label("Find a block").fill("http")
            palette.get_by_role("button", name="HTTP request", exact=True).drag_to(
                page.locator(".react-flow__pane"), target_position={"x": 520, "y": 160}
            )
            node(page, "http_request_1").wait_for()
            connect(page, "webhook_trigger_1", "http_request_1")

            # The URL inline on the node.
            url = node(page, "http_request_1").get_by_role("textbox", name="URL")
            url.fill(flaky_url)

            # A transform after it, then a condition put on that edge with its "+".
            _add_from_palette(page, "transform", "Transform")
            connect(page, "http_request_1", "transform_1")
            page.get_by_role(
                "button", name="Insert a block between http_request_1 and transform_1"
            ).click()
            inserter = page.get_by_role("dialog", name="Insert a block")
            inserter.get_by_label("Find a block to insert").fill("condition")
            inserter.get_by_role("button", name="Condition", exact=True).click()
            node(page, "condition_1").wait_for()
            page.get_by_role("button", name="Auto-layout").click()

            # The condition: the HTTP status equals 200.
            panel = page.get_by_role("complementary", name="Node settings")
            panel.get_by_role("button", name="Add condition").click()
            panel.get_by_label("Condition 1 left value").fill(
                "{{ nodes.http_request_1.output.status }}"
            )
            panel.get_by_label("Condition 1 operator").select_option("eq")
            panel.get_by_label("Condition 1 right value").fill("200")

            # The true branch greets; a second transform on the false branch.
            _open(page, "transform_1")
            panel.get_by_role("button", name="Add", exact=True).click()
            panel.get_by_label("Mapping 1 name").fill("text")
            panel.get_by_label("Mapping 1 value").fill("Hello {{ trigger.body.name }}")
            _add_from_palette(page, "transform", "Transform")
            node(page, "transform_2").wait_for()
            connect(page, "condition_1", "transform_2", handle="false")
            panel.get_by_role("button", name="Add", exact=True).click()
            panel.get_by_label("Mapping 1 name").fill("text")
            panel.get_by_label("Mapping 1 value").fill("Unexpected status")
            page.keyboard.press("Control+s")
            page.get_by_text("Saved as version").wait_for(timeout=15_000)
            page.screenshot(path=str(SHOTS / "story-1-built.png"))

            # Listen for a test event and fire it; the HTTP node fails (the server answers 500).
            _open(page, "webhook_trigger_1")
            hooks = page.get_by_role("region", name="Webhook URLs")
            hooks.get_by_role("button", name="Get a test URL").click()
            test_url = hooks.get_by_label("Test URL", exact=True).input_value(timeout=20_000)
            panel.get_by_role("button", name="Listen for test event").click()
            panel.get_by_text("Waiting for a call to the test URL").wait_for(timeout=10_000)
            delivery = urllib.request.Request(  # noqa: S310 (the live server on 127.0.0.1)
                test_url,
                data=json.dumps({"name": "Ada"}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(delivery, timeout=10) as answer:  # noqa: S310
                seen["delivery_status"] = answer.status
            page.wait_for_selector(
                '[data-testid="node-http_request_1"][data-run-status="failed"]', timeout=30_000
            )
            seen["hook_after_failure"] = node(page, "webhook_trigger_1").get_attribute(
                "data-run-status"
            )
            page.screenshot(path=str(SHOTS / "story-2-failed.png"))

            # The upstream is fixed; open the run, read the failed node's error, re-run from it.
            upstream["down"] = False
            page.get_by_role("link", name="Open run").click()
            page.wait_for_url("**/app/executions/*")
            seen["failed_run_url"] = page.url
            _open(page, "http_request_1")
            details = page.get_by_role("complementary", name="Step details")
            details.get_by_role("button", name="Re-run from here").wait_for(timeout=10_000)
            seen["error"] = details.inner_text()
            details.get_by_role("button", name="Re-run from here").click()
            page.wait_for_url(lambda u: "/app/executions/" in u and u != seen["failed_run_url"])
            seen["rerun_url"] = page.url
            for node_id in ("http_request_1", "condition_1", "transform_1"):
                page.wait_for_selector(
                    f'[data-testid="node-{node_id}"][data-run-status="succeeded"]', timeout=30_000
                )
            seen["false_branch"] = node(page, "transform_2").get_attribute("data-run-status")
            seen["http_node"] = node(page, "http_request_1").inner_text()
            _open(page, "transform_1")
            seen["greeting"] = details.inner_text()
            page.screenshot(path=str(SHOTS / "story-3-rerun-green.png"))

            # Both runs in the workflow's history.
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
            page.locator("tbody tr").nth(1).wait_for(timeout=20_000)
            seen["history"] = page.locator("tbody").inner_text()
            page.screenshot(path=str(SHOTS / "story-4-history.png"))
        except Exception:
            page.screenshot(path=str(SHOTS / "story-failure.png"))
            raise
    return seen


def test_from_an_empty_workflow_to_a_rerun_from_the_failednode(
    live_server, user, workspace, settings
):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    # Down (every attempt of the first run's retry policy answers 500) until the story fixes it.
    upstream = {"down": True}
    ok = Reply(200, headers={"Content-Type": "application/json"}, body=b'{"greeting": "hi"}')
    with LocalServer() as server:
        server.route("/flaky", lambda _: Reply(500, body=b"down") if upstream["down"] else ok)
        settings.OUTBOUND_ALLOWLIST = [server.netloc]
        seen = in_browser_thread(
            _story, live_server.url, user.username, server.url("/flaky"), upstream
        )
        calls = len(server.requests)

    workflow = Workflow.objects.get(workspace=workspace, name=NAME)
    graph = workflow.graph
    types = sorted(node["type"] for node in graph["nodes"])
    assert types == ["condition", "http_request", "transform", "transform", "webhook_trigger"]
    wiring = sorted((e["source"], e.get("sourceHandle"), e["target"]) for e in graph["edges"])
    assert wiring == [
        ("condition_1", "false", "transform_2"),
        ("condition_1", "true", "transform_1"),
        ("http_request_1", None, "condition_1"),
        ("webhook_trigger_1", None, "http_request_1"),
    ]
    assert seen["delivery_status"] == 202
    assert seen["hook_after_failure"] == "succeeded"
    assert "500" in seen["error"]
    failed, rerun = Execution.objects.filter(workflow=workflow).order_by("created_at")
    tries = failed.steps.get(node_id="http_request_1").attempts
    assert calls == tries + 1  # the failed step's attempts, then the re-run's one call
    assert failed.status == "failed" and rerun.status == "succeeded"
    assert seen["failed_run_url"].endswith(f"/app/executions/{failed.pk}")
    assert seen["rerun_url"].endswith(f"/app/executions/{rerun.pk}")
    assert seen["false_branch"] == "skipped"  # the branch not taken
    assert "ms" in seen["http_node"]  # the node shows how long its step took
    assert "Hello Ada" in seen["greeting"]
    assert seen["history"].count(NAME) == 2
    assert wait_for(lambda: rerun.steps.filter(node_id="transform_1").first())
