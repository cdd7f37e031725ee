"""Rotating a webhook trigger's signing secret: editors only, shown once, audited."""

import pytest

from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.workspaces.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trigger(workspace, user):
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={}
    )
    return Trigger.objects.get(workflow=workflow, node_id="start")


def test_editor_rotates_the_secret_and_it_is_audited_without_the_secret(member_api, trigger):
    editor = member_api(Role.EDITOR)
    first = editor.post(f"/api/v1/triggers/{trigger.id}/secret/", {}, format="json")
    second = editor.post(f"/api/v1/triggers/{trigger.id}/secret/", {}, format="json")
    assert first.status_code == second.status_code == 200
    new = second.json()["signing_secret"]
    assert new and new != first.json()["signing_secret"]
    # Shown once: reading the trigger afterwards no longer reveals it.
    detail = editor.get(f"/api/v1/triggers/{trigger.id}/").json()
    assert detail["signing_secret"] is None
    events = AuditEvent.objects.filter(action="trigger.secret_rotated", target_id=str(trigger.id))
    assert events.count() == 2
    event = events.first()
    assert event.workspace_id == trigger.workspace_id
    assert event.actor is not None
    assert event.data == {"generated": True, "node_id": "start"}
    assert new not in str(event.data)


def test_viewer_may_not_rotate(member_api, trigger):
    before = bytes(trigger.secret_ciphertext)
    response = member_api(Role.VIEWER).post(f"/api/v1/triggers/{trigger.id}/secret/", {})
    assert response.status_code == 403
    trigger.refresh_from_db()
    assert bytes(trigger.secret_ciphertext) == before
    assert not AuditEvent.objects.filter(action="trigger.secret_rotated").exists()
