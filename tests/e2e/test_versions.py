"""Version history in a real browser: from the editor to the versions page, the diff of
what changed since the live version, and a rollback that makes an older version live."""

import copy

import pytest

from apps.workflows.models import Workflow
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in


def _review_and_roll_back(base_url: str, username: str, workflow_id: str) -> dict:
    seen: dict = {}
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/workflows/{workflow_id}", username)
        page.get_by_role("link", name="Versions").click()
        page.wait_for_url(f"**/app/workflows/{workflow_id}/versions")
        rows = page.get_by_role("table", name="Published versions").locator("tbody tr")
        rows.first.wait_for(timeout=20_000)
        seen["rows"] = rows.all_inner_texts()
        page.get_by_label("From").select_option("1")
        page.get_by_label("To").select_option("2")
        changed = page.get_by_role("region", name="Nodes changed")
        changed.wait_for(timeout=20_000)
        seen["changed"] = changed.inner_text()
        page.screenshot(path=str(SHOTS / "versions-diff.png"))
        page.get_by_role("button", name="Roll back to v1").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Make v1 live").click()
        page.get_by_role("button", name="Roll back to v2").wait_for(timeout=20_000)
        seen["after"] = rows.all_inner_texts()
    return seen


@pytest.mark.django_db(transaction=True)
def test_see_what_changed_and_roll_back(live_server, user, workspace, api):
    workflow = WorkflowFactory(workspace=workspace, name="Versioned", graph=SIMPLE_GRAPH)
    base = f"/api/v1/workflows/{workflow.id}"
    assert api.post(f"{base}/publish/", {"note": "first"}, format="json").status_code == 201
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["config"]["mapping"]["text"] = "Goodbye"
    assert api.patch(f"{base}/", {"version": 1, "graph": graph}, format="json").status_code == 200
    assert api.post(f"{base}/publish/", {"note": "second"}, format="json").status_code == 201

    seen = in_browser_thread(_review_and_roll_back, live_server.url, user.username, workflow.id)

    first, second = (row.split("\t") for row in seen["rows"])
    assert (first[0], first[1], first[2]) == ("v2live", "second", user.username)
    assert (second[0], second[1]) == ("v1", "first")
    assert "config.mapping.text" in seen["changed"] and "Goodbye" in seen["changed"]
    assert [row.split("\t")[0] for row in seen["after"]] == ["v2", "v1live"]
    assert Workflow.objects.get(pk=workflow.pk).published_version.number == 1
