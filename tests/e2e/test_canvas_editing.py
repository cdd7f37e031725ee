"""Editing comforts in a real browser: copy a node into another workflow, undo and redo,
the stale-save choice between two browsers, and an export/import round trip."""

import copy
import json
from pathlib import Path

import pytest

from apps.workflows.models import Workflow
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from config.env import var_path
from tests.e2e.browser import chromium, in_browser_thread, sign_in, two_chromiums

TRIGGER_ONLY = {"nodes": [copy.deepcopy(SIMPLE_GRAPH["nodes"][0])], "edges": []}


@pytest.fixture(autouse=True)
def _built(settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"


def _sign_in(context, base_url: str, username: str):
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, f"{base_url}/app/", username)
    page.get_by_role("heading", name="Workflows", exact=True).wait_for()
    return page


def _open(page, name: str) -> None:
    page.get_by_role("link", name=name).click()
    page.wait_for_selector(".react-flow__node", timeout=20_000)


def _node_ids(page) -> list[str]:
    return sorted(
        page.eval_on_selector_all(
            ".react-flow__node", "els => els.map(e => e.getAttribute('data-id'))"
        )
    )


def _copy_paste_undo_redo(base_url: str, username: str, source: str, target: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = _sign_in(context, base_url, username)
        _open(page, source)
        page.click('[data-testid="node-greet"]')
        page.keyboard.press("Control+c")
        page.get_by_role("link", name="Back to workflows").click()
        _open(page, target)
        page.mouse.move(700, 300)  # over the canvas: the paste lands at the pointer
        page.keyboard.press("Control+v")
        page.wait_for_selector('[data-testid="node-greet"]')
        seen["pasted"] = _node_ids(page)
        page.screenshot(path=str(var_path("e2e", "canvas-pasted.png")))
        page.keyboard.press("Control+z")
        page.wait_for_selector('[data-testid="node-greet"]', state="detached")
        seen["undone"] = _node_ids(page)
        page.keyboard.press("Control+Shift+z")
        page.wait_for_selector('[data-testid="node-greet"]')
        seen["redone"] = _node_ids(page)
        page.keyboard.press("F2")  # the pasted node is the selection
        page.get_by_label("Name of node greet").fill("Copied greeting")
        page.keyboard.press("Enter")
        page.get_by_text("Copied greeting").wait_for()
        page.keyboard.press("Control+s")
        page.get_by_text("Saved as version 2.").wait_for()
    return seen


def test_copy_a_node_into_another_workflow_then_undo_redo_and_rename(live_server, user, workspace):
    WorkflowFactory(workspace=workspace, name="Source", graph=copy.deepcopy(SIMPLE_GRAPH))
    target = WorkflowFactory(workspace=workspace, name="Target", graph=copy.deepcopy(TRIGGER_ONLY))
    seen = in_browser_thread(
        _copy_paste_undo_redo, live_server.url, user.username, "Source", "Target"
    )
    assert seen["pasted"] == ["greet", "start"]
    assert seen["undone"] == ["start"]
    assert seen["redone"] == ["greet", "start"]
    target.refresh_from_db()
    pasted = next(node for node in target.graph["nodes"] if node["id"] == "greet")
    assert pasted["type"] == "transform"
    assert pasted["data"]["label"] == "Copied greeting"
    assert pasted["data"]["config"] == SIMPLE_GRAPH["nodes"][1]["data"]["config"]
    assert target.graph["edges"] == []  # the edge from `start` was not in the copy
    assert target.version == 2


def _stale_save(base_url: str, username: str, name: str) -> dict:
    seen: dict = {}
    with two_chromiums() as (first_browser, second_browser):
        first = _sign_in(first_browser, base_url, username)
        second = _sign_in(second_browser, base_url, username)
        _open(first, name)
        _open(second, name)
        first.get_by_role("button", name="Note", exact=True).click()
        first.get_by_label("Text", exact=True).fill("Mine, saved first")
        first.get_by_role("button", name="Save", exact=True).click()
        first.get_by_text("Saved as version 2.").wait_for()

        second.get_by_role("button", name="Auto-layout").click()
        second.get_by_role("button", name="Note", exact=True).click()
        second.get_by_label("Text", exact=True).fill("Theirs, saved late")
        second.get_by_role("button", name="Save", exact=True).click()
        second.get_by_text("Someone else saved this workflow").wait_for()
        seen["choices"] = [
            second.get_by_role("button", name=label).is_visible()
            for label in ("Reload their version", "Overwrite with mine")
        ]
        second.screenshot(path=str(var_path("e2e", "canvas-stale-save.png")))
        second.get_by_role("button", name="Overwrite with mine").click()
        second.get_by_text("Saved as version 3.").wait_for()
    return seen


def test_a_stale_save_offers_reload_or_overwrite(live_server, user, workspace):
    workflow = WorkflowFactory(
        workspace=workspace, name="Shared", graph=copy.deepcopy(SIMPLE_GRAPH)
    )
    seen = in_browser_thread(_stale_save, live_server.url, user.username, "Shared")
    assert seen["choices"] == [True, True]
    workflow.refresh_from_db()
    assert workflow.version == 3
    notes = [n["data"]["text"] for n in workflow.graph["nodes"] if n["type"] == "note"]
    assert notes == ["Theirs, saved late"]  # overwritten with the second browser's canvas


def _export_then_import(base_url: str, username: str, name: str, folder: Path) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = _sign_in(context, base_url, username)
        _open(page, name)
        with page.expect_download() as download:
            page.get_by_role("button", name="Export").click()
        saved = folder / download.value.suggested_filename
        download.value.save_as(saved)
        seen["file"] = saved.name
        page.get_by_role("link", name="Back to workflows").click()
        page.get_by_role("heading", name="Workflows", exact=True).wait_for()
        page.set_input_files('input[type="file"]', str(saved))
        page.wait_for_url("**/app/workflows/**")
        page.wait_for_selector(".react-flow__node", timeout=20_000)
        seen["url"] = page.url
        seen["nodes"] = _node_ids(page)
        page.screenshot(path=str(var_path("e2e", "canvas-imported.png")))
    return seen


def test_export_then_import_round_trip(live_server, user, workspace, tmp_path):
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["label"] = "Say hello"
    graph["nodes"].append(
        {"id": "note_1", "type": "note", "position": {"x": 0, "y": 150}, "data": {"text": "Hi"}}
    )
    original = WorkflowFactory(workspace=workspace, name="Round trip", graph=graph)
    seen = in_browser_thread(
        _export_then_import, live_server.url, user.username, "Round trip", tmp_path
    )
    assert seen["file"] == "round-trip.flowplane.json"
    document = json.loads((tmp_path / seen["file"]).read_text())
    assert document["graph"] == graph
    imported = Workflow.objects.exclude(pk=original.pk).get()
    assert seen["url"].endswith(f"/app/workflows/{imported.pk}")
    assert (imported.name, imported.graph, imported.workspace_id) == (
        "Round trip",
        graph,
        workspace.pk,
    )
    assert seen["nodes"] == ["greet", "note_1", "start"]
