"""The audit log: who, from where (trusted proxies only), with what client; listed with filters."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.workflows.models import Execution
from apps.workflows.services import workflow_publish
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import AuditEvent, Membership, Role
from apps.workspaces.services import membership_remove, membership_set
from apps.workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_api_run_records_workflow_executed_with_who_and_where(settings, api, user, workspace):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    workflow = WorkflowFactory(workspace=workspace)
    workflow_publish(workflow=workflow, published_by=user)
    response = api.post(
        f"/api/v1/workflows/{workflow.id}/run/",
        {"input": {}},
        format="json",
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
        HTTP_USER_AGENT="flows-cli/2.1",
        HTTP_X_REQUEST_ID="run-req-1",
    )
    assert response.status_code == 202, response.json()
    event = AuditEvent.objects.get(action="workflow.executed")
    assert (event.workspace_id, event.actor_id) == (workspace.id, user.id)
    assert (event.target_type, event.target_id) == ("Workflow", str(workflow.id))
    assert event.data == {"execution_id": response.json()["id"], "mode": "api"}
    assert Execution.objects.filter(pk=response.json()["id"]).exists()
    # The proxy's hop, not the address the caller wrote into the header itself.
    assert event.ip_address == "198.51.100.7"
    assert (event.user_agent, event.request_id) == ("flows-cli/2.1", "run-req-1")


def test_a_forwarded_for_from_an_untrusted_peer_is_ignored(api, user, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    workflow_publish(workflow=workflow, published_by=user)
    api.post(
        f"/api/v1/workflows/{workflow.id}/run/",
        {"input": {}},
        format="json",
        REMOTE_ADDR="203.0.113.20",
        HTTP_X_FORWARDED_FOR="1.1.1.1",
    )
    assert AuditEvent.objects.get(action="workflow.executed").ip_address == "203.0.113.20"


def test_member_changes_are_audited(user, workspace):
    member = UserFactory()
    membership = membership_set(workspace=workspace, user=member, role=Role.VIEWER, actor=user)
    membership_set(workspace=workspace, user=member, role=Role.VIEWER, actor=user)  # no change
    membership_set(workspace=workspace, user=member, role=Role.EDITOR, actor=user)
    membership_remove(membership=membership, actor=user)
    events = list(AuditEvent.objects.filter(action__startswith="member.").order_by("id"))
    assert [(e.action, e.data["role"], e.data.get("previous_role")) for e in events] == [
        ("member.added", "viewer", None),
        ("member.role_changed", "editor", "viewer"),
        ("member.removed", "editor", None),
    ]
    assert all(e.actor_id == user.id and e.data["user_id"] == member.id for e in events)
    assert not Membership.objects.filter(workspace=workspace, user=member).exists()


def test_member_changes_in_the_admin_go_through_the_services(client, workspace):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    member = UserFactory()
    existing = workspace.memberships.get()
    form = {
        "name": workspace.name,
        "slug": workspace.slug,
        "keep_succeeded_days": "30",
        "keep_failed_days": "90",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(existing.pk),
        "memberships-0-workspace": str(workspace.pk),
        "memberships-0-user": str(existing.user_id),
        "memberships-0-role": existing.role,
        "memberships-1-workspace": str(workspace.pk),
        "memberships-1-user": str(member.pk),
        "memberships-1-role": Role.EDITOR,
    }
    response = client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/",
        form,
        HTTP_USER_AGENT="Mozilla/5.0 admin",
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="member.added")
    assert event.actor_id == admin.id and event.data["user_id"] == member.id
    assert event.user_agent == "Mozilla/5.0 admin"


def test_the_list_filters_by_action_actor_and_time(api, user, workspace):
    member = UserFactory()
    membership_set(workspace=workspace, user=member, role=Role.VIEWER, actor=user)
    membership_set(workspace=workspace, user=member, role=Role.EDITOR, actor=None)
    url = f"/api/v1/audit-events/?workspace={workspace.id}"
    by_action = api.get(f"{url}&action=member.role_changed").json()["results"]
    assert [e["action"] for e in by_action] == ["member.role_changed"]
    by_actor = api.get(f"{url}&actor={user.username}").json()["results"]
    assert {e["action"] for e in by_actor} == {"member.added"}
    first = AuditEvent.objects.get(action="member.added").created_at
    later = api.get(
        f"{url}&created_after={first.isoformat().replace('+00:00', 'Z')}&action=member.added"
    ).json()["results"]
    assert len(later) == 1 and later[0]["ip_address"] is None  # recorded outside a request
    none = api.get(
        f"{url}&created_before={first.isoformat().replace('+00:00', 'Z')}&action=member.added"
    ).json()["results"]
    assert none == []


def test_webhook_received_is_listed_from_the_delivery_rows(
    settings, api, client, user, workspace, member_api
):
    from apps.triggers.models import Trigger, WebhookDelivery
    from apps.triggers.tests.factories import published_workflow

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    response = client.post(
        f"/hooks/{trigger.webhook_token}",
        {"n": 1},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="192.0.2.44",
        HTTP_USER_AGENT="GitHub-Hookshot/1",
    )
    assert response.status_code == 202
    # No audit row per delivery: the delivery row is the record.
    assert not AuditEvent.objects.filter(action="webhook.received").exists()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.ip_address, delivery.user_agent) == ("192.0.2.44", "GitHub-Hookshot/1")

    listed = api.get(
        f"/api/v1/webhook-deliveries/?workspace={workspace.id}&trigger={trigger.id}"
    ).json()["results"]
    assert listed == [
        {
            "id": delivery.id,
            "workspace": str(workspace.id),
            "actor": None,
            "action": "webhook.received",
            "target_type": "Trigger",
            "target_id": str(trigger.id),
            "data": {
                "execution_id": response.json()["execution_id"],
                "delivery_id": None,
                "test": False,
            },
            "ip_address": "192.0.2.44",
            "user_agent": "GitHub-Hookshot/1",
            "created_at": listed[0]["created_at"],
        }
    ]
    assert (
        api.get("/api/v1/webhook-deliveries/?created_before=2000-01-01T00:00:00Z").json()["results"]
        == []
    )
    assert api.get("/api/v1/webhook-deliveries/?ip_address=192.0.2.44").json()["results"] == listed
    bad_ip = api.get("/api/v1/webhook-deliveries/?ip_address=invalid")  # was a 500
    assert bad_ip.status_code == 400 and "ip_address" in bad_ip.json()["fields"]
    viewer = member_api(Role.VIEWER)
    assert viewer.get("/api/v1/webhook-deliveries/").json()["results"] == []
    assert viewer.get(f"/api/v1/webhook-deliveries/?workspace={workspace.id}").status_code == 403
