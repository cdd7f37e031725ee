"""A published webhook's trigger switched off and on in the editor, in a real browser with a
real worker: while off its URL refuses (409, nothing stored), on again a delivery runs."""

import json
import urllib.error
import urllib.request

import pytest

from apps.triggers.models import Trigger, WebhookDelivery
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution
from apps.workspaces.models import AuditEvent
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.e2e.test_accessibility import AXE, BLOCKING, TAGS
from tests.worker import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


def _violations_in(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core over the part of the panel this test is about (the config form's CodeMirror
    placeholders fail colour contrast already, without this part)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([selector, tags]) => axe.run(selector, {runOnly: {type: 'tag', values: tags}})",
        [selector, TAGS],
    )
    return [v["id"] for v in result["violations"] if v["impact"] in BLOCKING]


def _deliver(url: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the live server on 127.0.0.1)
        url,
        data=json.dumps({"name": "Ada"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _switch_off_and_on(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {}
    with chromium(bypass_csp=True) as context:  # axe is injected inline
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("heading", name="Workflows", exact=True).wait_for(timeout=20_000)
        page.get_by_role("link", name=workflow_name).click()
        page.click('[data-testid="node-start"]', timeout=20_000)
        status = page.get_by_role("region", name="Trigger status")
        toggle = status.get_by_role("switch", name="Trigger on")
        url = page.get_by_role("region", name="Webhook URLs").get_by_label(
            "Production URL", exact=True
        )
        seen["url"] = url.input_value(timeout=20_000)
        seen["checked_before"] = toggle.is_checked(timeout=20_000)

        toggle.click()
        status.get_by_text("Switched off: it starts no runs").wait_for(timeout=20_000)
        seen["checked_off"] = toggle.is_checked()
        node = page.locator('[data-testid="node-start"]')
        node.get_by_text("Off", exact=True).wait_for(timeout=10_000)  # on the node too
        seen["axe"] = _violations_in(page, '[aria-label="Trigger status"]')
        page.screenshot(path=str(SHOTS / "trigger-switched-off.png"))
        seen["refused"] = _deliver(seen["url"])

        toggle.click()
        status.get_by_text("On: it starts runs").wait_for(timeout=20_000)
        node.get_by_text("Off", exact=True).wait_for(state="detached", timeout=10_000)
        seen["accepted"] = _deliver(seen["url"])
        page.reload()
        page.click('[data-testid="node-start"]', timeout=20_000)
        seen["checked_after_reload"] = (
            page.get_by_role("region", name="Trigger status")
            .get_by_role("switch", name="Trigger on")
            .is_checked(timeout=20_000)
        )
    return seen


def test_switching_a_webhook_off_refuses_deliveries_and_on_runs_them(
    live_server, user, workspace, settings
):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `npm run build` first"
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={}, name="Hooked"
    )
    seen = in_browser_thread(_switch_off_and_on, live_server.url, user.username, workflow.name)
    trigger = Trigger.objects.get(workflow=workflow, node_id="start")
    assert seen["checked_before"] and not seen["checked_off"] and seen["checked_after_reload"]
    assert seen["axe"] == []
    assert seen["refused"] == (
        409,
        {
            "type": "trigger_disabled",
            "detail": "This webhook is switched off; the delivery was not stored.",
        },
    )
    status, accepted = seen["accepted"]
    assert status == 202, accepted
    # Only the delivery made while on was stored, and it ran.
    assert WebhookDelivery.objects.filter(trigger=trigger).count() == 1
    run = Execution.objects.get(workflow=workflow)
    assert str(run.pk) == accepted["execution_id"]
    wait_for(lambda: Execution.objects.get(pk=run.pk).status == "succeeded", timeout=30)
    assert Execution.objects.get(pk=run.pk).output["got"]["body"] == {"name": "Ada"}
    actions = AuditEvent.objects.filter(target_id=str(trigger.pk), actor=user).order_by(
        "created_at", "id"
    )
    assert [a.action for a in actions] == ["trigger.disabled", "trigger.enabled"]
