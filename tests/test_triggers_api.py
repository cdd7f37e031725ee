"""Trigger registry, publish/unpublish sync and the /api/v1/triggers/ endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.triggers.models import Trigger
from apps.triggers.presets import PresetError, preset_get, preset_list, preset_register
from apps.triggers.registry import trigger_registry
from apps.triggers.tests.factories import published_workflow, republish, trigger_graph
from apps.workflows.services import (
    workflow_create,
    workflow_publish,
    workflow_rollback,
    workflow_unpublish,
)
from apps.workspaces.models import Role

pytestmark = pytest.mark.django_db

CRON = {"cron": "0 9 * * 1-5", "timezone": "Europe/Berlin"}


def test_registry_maps_every_trigger_block_and_schemas_validate_their_defaults():
    kinds = {spec.block_type: spec.kind for spec in trigger_registry.all()}
    assert kinds == {
        "webhook_trigger": "webhook",
        "schedule_trigger": "schedule",
        "poll_trigger": "poll",
        "manual_trigger": "manual",
    }
    for spec in trigger_registry.all():
        config = spec.resolved(
            {"cron": "* * * * *"}
            if spec.kind == "schedule"
            else {"source": {"kind": "http", "url": "http://x.example/"}}
            if spec.kind == "poll"
            else {}
        )
        assert spec.problems(config) == {}, spec.kind


def test_presets_are_catalogue_data_and_refuse_bad_entries():
    keys = {p["key"] for p in preset_list()}
    assert {"github", "slack", "stripe", "standard_webhooks", "hmac_sha256", "hmac_sha1"} <= keys
    assert preset_get("github")["delivery_id"] == {"header": "X-GitHub-Delivery"}
    with pytest.raises(PresetError, match="already registered"):
        preset_register({"key": "github", "title": "again"})
    with pytest.raises(PresetError):
        preset_register(
            {
                "key": "bad",
                "title": "x",
                "signature": {"header": "X", "algorithm": "md5", "encoding": "hex"},
            }
        )
    # A provider that signs like GitHub but with its own headers is only data.
    preset_register(
        {
            "key": "acme_test",
            "title": "Acme",
            "signature": {"header": "X-Acme-Sig", "algorithm": "sha256", "encoding": "hex"},
            "delivery_id": {"header": "X-Acme-Delivery"},
        }
    )
    assert preset_get("acme_test")["signature"]["header"] == "X-Acme-Sig"


def test_publish_creates_and_activates_unpublish_deactivates(workspace, user):
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="schedule_trigger", config=CRON
    )
    trigger = Trigger.objects.get(workflow=workflow)
    assert trigger.is_active and trigger.kind == "schedule"
    assert trigger.config["overlap"] == {"policy": "allow", "max_instances": 10}
    first = trigger.next_fire_at
    assert first is not None and first > datetime.now(tz=UTC)
    # Republishing unchanged timing keeps the next fire.
    republish(workflow=workflow, user=user, config={**CRON, "payload": {"a": 1}})
    trigger.refresh_from_db()
    assert trigger.next_fire_at == first and trigger.config["payload"] == {"a": 1}
    workflow_unpublish(workflow=workflow, actor=user)
    trigger.refresh_from_db()
    assert not trigger.is_active and trigger.next_fire_at is None
    workflow_rollback(workflow=workflow, number=1, actor=user)
    trigger.refresh_from_db()
    assert trigger.is_active and trigger.next_fire_at is not None


def test_removing_the_node_deactivates_and_tokens_survive_republish(workspace, user):
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={}
    )
    trigger = Trigger.objects.get(workflow=workflow)
    token, secret = trigger.webhook_token, bytes(trigger.secret_ciphertext)
    workflow = republish(workflow=workflow, user=user, config={"methods": ["POST", "PUT"]})
    trigger.refresh_from_db()
    assert trigger.webhook_token == token and bytes(trigger.secret_ciphertext) == secret
    graph = trigger_graph("manual_trigger", {}, node_id="manual")
    from apps.workflows.services import workflow_update

    workflow = workflow_update(
        workflow=workflow, expected_version=workflow.version, updated_by=user, graph=graph
    )
    workflow_publish(workflow=workflow, published_by=user)
    trigger.refresh_from_db()
    assert not trigger.is_active
    assert Trigger.objects.get(workflow=workflow, node_id="manual").kind == "manual"


def test_invalid_trigger_config_refuses_publish_with_the_node_path(workspace, user):
    from apps.core.exceptions import InvalidInput

    workflow = workflow_create(
        workspace=workspace,
        name="bad",
        created_by=user,
        graph=trigger_graph("schedule_trigger", {"cron": "0 9 * * *", "timezone": "Mars/Base"}),
    )
    with pytest.raises(InvalidInput) as caught:
        workflow_publish(workflow=workflow, published_by=user)
    assert any("timezone" in key for key in caught.value.fields)
    assert not Trigger.objects.exists()


def test_list_is_scoped_and_query_count_is_flat(api, workspace, other_workspace, user):
    mine = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={}
    )
    from apps.workspaces.tests.factories import UserFactory

    stranger = UserFactory()
    published_workflow(
        workspace=other_workspace, user=stranger, block_type="webhook_trigger", config={}
    )
    response = api.get("/api/v1/triggers/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["workflow"] for r in results] == [str(mine.id)]
    body = results[0]
    assert body["status"] == "active" and body["kind"] == "webhook"
    assert body["webhook_url"].startswith("http://testserver/hooks/")
    assert body["test_url"].startswith("http://testserver/hooks/test/")
    assert "signing_secret" not in body and body["has_secret"] is True
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/triggers/")
    for n in range(5):
        published_workflow(
            workspace=workspace, user=user, block_type="schedule_trigger", config=CRON, name=f"s{n}"
        )
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/triggers/").json()["count"] == 6
    assert len(many) == len(few)
    other = Trigger.objects.exclude(workflow=mine).first()
    assert api.get(f"/api/v1/triggers/{other.id}/").status_code in (200, 404)
    foreign = Trigger.objects.get(workspace=other_workspace)
    assert api.get(f"/api/v1/triggers/{foreign.id}/").status_code == 404


def test_secret_is_shown_once_then_rotated_or_set(api, workspace, user, member_api):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "hmac_sha256"}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    viewer = member_api(Role.VIEWER)
    assert viewer.get(f"/api/v1/triggers/{trigger.id}/").json()["signing_secret"] is None
    first = api.get(f"/api/v1/triggers/{trigger.id}/").json()
    assert first["signing_secret"] and len(first["signing_secret"]) >= 32
    assert api.get(f"/api/v1/triggers/{trigger.id}/").json()["signing_secret"] is None
    rotated = api.post(f"/api/v1/triggers/{trigger.id}/secret/", {}, format="json").json()
    assert rotated["signing_secret"] and rotated["signing_secret"] != first["signing_secret"]
    assert api.get(f"/api/v1/triggers/{trigger.id}/").json()["signing_secret"] is None
    provider = api.post(
        f"/api/v1/triggers/{trigger.id}/secret/",
        {"secret": "whsec_from_the_provider"},
        format="json",
    )
    assert provider.status_code == 200 and provider.json() == {"signing_secret": None}
    forbidden = viewer.post(f"/api/v1/triggers/{trigger.id}/secret/", {}, format="json")
    assert forbidden.status_code == 403
    unknown = api.post(f"/api/v1/triggers/{trigger.id}/secret/", {"nope": 1}, format="json")
    assert unknown.status_code == 400 and "nope" in unknown.json()["fields"]
    from apps.triggers.services import trigger_secret

    trigger.refresh_from_db()
    assert trigger_secret(trigger=trigger) == "whsec_from_the_provider"


def test_schedule_preview_lists_berlin_weekday_mornings(api, workspace, user):
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="schedule_trigger", config=CRON
    )
    trigger = Trigger.objects.get(workflow=workflow)
    response = api.get(f"/api/v1/triggers/{trigger.id}/preview/?count=5")
    assert response.status_code == 200, response.json()
    runs = response.json()["runs"]
    assert len(runs) == 5
    for run in runs:
        local = datetime.fromisoformat(run["local"])
        assert local.hour == 9 and local.minute == 0 and local.weekday() < 5
        assert local.utcoffset().total_seconds() in (3600, 7200)
    hook = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={}, name="hook"
    )
    hook_trigger = Trigger.objects.get(workflow=hook)
    assert api.get(f"/api/v1/triggers/{hook_trigger.id}/preview/").status_code == 400


def test_cron_preview_is_stateless_and_validates(api):
    response = api.post(
        "/api/v1/triggers/cron-preview/",
        {"expression": "30 2 * * *", "timezone": "Europe/Berlin", "count": 3},
        format="json",
    )
    assert response.status_code == 200
    assert len(response.json()["runs"]) == 3
    bad = api.post(
        "/api/v1/triggers/cron-preview/",
        {"expression": "0 25 * * *", "timezone": "UTC"},
        format="json",
    )
    assert bad.status_code == 400 and "expression" in bad.json()["fields"]
    zone = api.post(
        "/api/v1/triggers/cron-preview/",
        {"expression": "0 1 * * *", "timezone": "Europe/Nowhere"},
        format="json",
    )
    assert zone.status_code == 400 and "timezone" in zone.json()["fields"]
    assert not Trigger.objects.exists()


def test_draft_endpoint_gives_a_test_url_before_publishing(api, client, workspace, user):
    workflow = workflow_create(
        workspace=workspace,
        name="draft",
        created_by=user,
        graph=trigger_graph("webhook_trigger", {}, node_id="hook"),
    )
    response = api.post(
        "/api/v1/triggers/draft/", {"workflow": str(workflow.id), "node_id": "hook"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["is_active"] is False and body["test_url"]
    assert body["signing_secret"]  # shown once, like at publish
    test_path = body["test_url"].replace("http://testserver", "")
    assert client.post(test_path, b"{}", content_type="application/json").status_code == 202
    live_path = body["webhook_url"].replace("http://testserver", "")
    assert client.post(live_path, b"{}", content_type="application/json").status_code == 404
    bad = api.post(
        "/api/v1/triggers/draft/", {"workflow": str(workflow.id), "node_id": "out"}, format="json"
    )
    assert bad.status_code == 400
