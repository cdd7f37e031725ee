"""A trigger's on/off switch: the API, the audit trail, republishing, and what it stops
(webhook deliveries, schedule fires, polls) and what it does not (manual and API runs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.triggers import cron
from apps.triggers.models import Trigger, TriggerFire, WebhookDelivery
from apps.triggers.polling import outbound_client, poll_run
from apps.triggers.scheduler import trigger_tick
from apps.triggers.tests.factories import published_workflow, republish
from apps.workflows.models import Execution
from apps.workflows.services import workflow_rollback, workflow_unpublish
from apps.workspaces.models import AuditEvent, Role
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make(workspace, user, block_type: str, config: dict) -> Trigger:
    workflow = published_workflow(
        workspace=workspace, user=user, block_type=block_type, config=config
    )
    return Trigger.objects.get(workflow=workflow, node_id="start")


def switch(client, trigger: Trigger, body: dict):
    return client.patch(f"/api/v1/triggers/{trigger.id}/", body, format="json")


@pytest.fixture
def hook(workspace, user) -> Trigger:
    return make(workspace, user, "webhook_trigger", {})


def test_switching_off_and_on_is_shown_and_audited(api, hook, user):
    off = switch(api, hook, {"enabled": False})
    assert off.status_code == 200, off.content
    assert off.json()["enabled"] is False and off.json()["status"] == "disabled"
    listed = api.get("/api/v1/triggers/", {"workflow": str(hook.workflow_id)}).json()
    assert [(t["enabled"], t["status"]) for t in listed["results"]] == [(False, "disabled")]
    assert switch(api, hook, {"enabled": False}).status_code == 200  # again: no change
    on = switch(api, hook, {"enabled": True})
    assert on.json()["enabled"] is True and on.json()["status"] == "active"
    events = AuditEvent.objects.filter(target_id=str(hook.id)).order_by("created_at", "id")
    assert [e.action for e in events] == ["trigger.disabled", "trigger.enabled"]
    assert all(e.actor == user and e.workspace_id == hook.workspace_id for e in events)
    assert events[0].data == {"node_id": "start", "workflow_id": str(hook.workflow_id)}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "enabled", "This field is required."),
        ({"enabled": "false"}, "enabled", "Must be true or false."),
        ({"enabled": 0}, "enabled", "Must be true or false."),
        ({"enabled": False, "is_active": True}, "is_active", "Unknown field."),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(api, hook, body, field, message):
    response = switch(api, hook, body)
    assert response.status_code == 400
    assert response.json()["fields"][field] == [message]
    hook.refresh_from_db()
    assert hook.enabled is True
    assert not AuditEvent.objects.filter(action__startswith="trigger.").exists()


def test_viewers_and_other_workspaces_may_not_switch(member_api, hook, other_workspace):
    assert switch(member_api(Role.VIEWER), hook, {"enabled": False}).status_code == 403
    stranger = MembershipFactory(workspace=other_workspace, role=Role.OWNER).user
    _, token = api_token_create(user=stranger, name="tests")
    outsider = APIClient()
    outsider.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert switch(outsider, hook, {"enabled": False}).status_code == 404
    hook.refresh_from_db()
    assert hook.enabled is True
    editor = member_api(Role.EDITOR)
    assert editor.put(f"/api/v1/triggers/{hook.id}/", {"enabled": False}).status_code == 405
    assert switch(editor, hook, {"enabled": False}).status_code == 200


def test_a_manual_trigger_has_no_switch(api, workspace, user):
    manual = make(workspace, user, "manual_trigger", {})
    response = switch(api, manual, {"enabled": False})
    assert response.status_code == 400
    assert response.json()["type"] == "trigger_not_switchable"
    assert response.json()["fields"]["enabled"] == [
        "Only webhook, schedule and polling triggers can be switched."
    ]


def test_the_switch_survives_republish_unpublish_and_rollback(api, workspace, user):
    trigger = make(workspace, user, "schedule_trigger", {"cron": "*/5 * * * *"})
    switch(api, trigger, {"enabled": False})
    workflow = republish(workflow=trigger.workflow, user=user, config={"cron": "*/10 * * * *"})
    trigger.refresh_from_db()
    assert trigger.is_active and not trigger.enabled and trigger.next_fire_at is None
    assert trigger.config["cron"] == "*/10 * * * *"
    workflow_unpublish(workflow=workflow, actor=user)
    workflow_rollback(workflow=workflow, number=2, actor=user)
    trigger.refresh_from_db()
    assert trigger.is_active and not trigger.enabled and trigger.next_fire_at is None


def test_a_disabled_webhook_refuses_and_records_nothing(api, client, hook):
    def deliver():
        return client.post(
            f"/hooks/{hook.webhook_token}", {"name": "Ada"}, content_type="application/json"
        )

    switch(api, hook, {"enabled": False})
    refused = deliver()
    assert refused.status_code == 409
    assert refused.json() == {
        "type": "trigger_disabled",
        "detail": "This webhook is switched off; the delivery was not stored.",
    }
    assert not Execution.objects.exists() and not WebhookDelivery.objects.exists()
    switch(api, hook, {"enabled": True})  # seen at once: the switch drops the cached target
    accepted = deliver()
    assert accepted.status_code == 202, accepted.content
    assert Execution.objects.get().input["body"] == {"name": "Ada"}


def test_manual_and_api_runs_still_work_while_off(api, hook):
    switch(api, hook, {"enabled": False})
    response = api.post(f"/api/v1/workflows/{hook.workflow_id}/run/", {"input": {}}, format="json")
    assert response.status_code == 202, response.content
    assert Execution.objects.get().mode == Execution.Mode.API


def test_the_tick_skips_a_disabled_schedule_and_resumes_without_catch_up(api, workspace, user):
    trigger = make(workspace, user, "schedule_trigger", {"cron": "*/5 * * * *"})
    trigger.next_fire_at = T0
    trigger.save(update_fields=["next_fire_at"])
    switch(api, trigger, {"enabled": False})
    for minute in range(0, 30, 5):
        assert trigger_tick(now=T0 + timedelta(minutes=minute, seconds=1)).claimed == 0
    trigger.refresh_from_db()
    assert trigger.next_fire_at is None
    assert not TriggerFire.objects.exists() and not Execution.objects.exists()
    switch(api, trigger, {"enabled": True})
    trigger.refresh_from_db()
    # Planned from now: the fires missed while off are not replayed.
    assert trigger.next_fire_at == cron.next_after("*/5 * * * *", "UTC", datetime.now(tz=UTC))
    assert trigger_tick(now=trigger.next_fire_at + timedelta(seconds=1)).fired == 1


@pytest.fixture
def feed(settings):
    calls: list[str] = []

    def items(recorded: Recorded) -> Reply:
        calls.append(recorded.path)
        body = json.dumps({"items": [{"id": f"i{len(calls)}"}]}).encode()
        return Reply(200, {"Content-Type": "application/json"}, body)

    with LocalServer().route("/items", items) as server:
        settings.OUTBOUND_ALLOWLIST = [server.netloc]
        outbound_client.cache_clear()
        yield server.url("/items"), calls
    outbound_client.cache_clear()


def test_a_disabled_poll_is_neither_sent_nor_run(api, workspace, user, feed):
    url, calls = feed
    trigger = make(
        workspace,
        user,
        "poll_trigger",
        {"source": {"kind": "http", "url": url}, "items_path": "items", "interval_s": 60},
    )
    assert poll_run(trigger_id=trigger.pk)["baseline"] == 1
    assert len(calls) == 1
    switch(api, trigger, {"enabled": False})
    assert trigger_tick(now=datetime.now(tz=UTC) + timedelta(hours=1)).polls == 0
    # A poll task sent just before the switch does nothing either: no call, no run.
    assert poll_run(trigger_id=trigger.pk) == {"started": 0}
    assert len(calls) == 1 and not Execution.objects.exists()
    switch(api, trigger, {"enabled": True})
    assert trigger_tick(now=datetime.now(tz=UTC) + timedelta(seconds=1)).polls == 1
    assert poll_run(trigger_id=trigger.pk)["started"] == 1
    assert len(calls) == 2
