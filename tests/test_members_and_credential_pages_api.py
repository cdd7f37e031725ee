"""The Members and Credentials pages' API: roles, the last owner, audit rows, credential usage,
and the admin's write-only secret form (the stored secret never comes back)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.credentials import services as credential_services
from apps.credentials.models import Credential
from apps.workflows.models import Workflow
from apps.workspaces.models import AuditEvent, Membership, Role
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
SECRET = "sk_live_Members9QmKEYvalue"


def _client(user) -> APIClient:
    _, token = api_token_create(user=user, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _members(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.pk}/members/"


def test_owner_invites_by_email_or_username_changes_role_and_removes(api, user, workspace):
    grace, alan = UserFactory(username="grace"), UserFactory(username="alan")
    added = api.post(
        _members(workspace), {"user": "GRACE@example.com", "role": "viewer"}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert added.json()["username"] == "grace" and added.json()["role"] == "viewer"
    assert api.post(_members(workspace), {"user": "alan"}, format="json").json()["role"] == "editor"

    listed = api.get(_members(workspace)).json()
    assert [(m["username"], m["role"]) for m in listed] == [
        ("alan", "editor"),
        ("grace", "viewer"),
        (user.username, "owner"),
    ]

    grace_id = added.json()["id"]
    changed = api.patch(f"{_members(workspace)}{grace_id}/", {"role": "admin"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "admin"
    alan_id = Membership.objects.get(user=alan).pk
    assert api.delete(f"{_members(workspace)}{alan_id}/").status_code == 204
    assert not Membership.objects.filter(user=alan).exists()

    events = list(
        AuditEvent.objects.filter(workspace=workspace, action__startswith="member.")
        .order_by("id")
        .values_list("action", "actor_id", "data")
    )
    assert [(a, actor) for a, actor, _ in events] == [
        ("member.added", user.pk),
        ("member.added", user.pk),
        ("member.role_changed", user.pk),
        ("member.removed", user.pk),
    ]
    assert events[2][2]["previous_role"] == "viewer" and events[2][2]["role"] == "admin"
    assert grace.pk in {e[2]["user_id"] for e in events}


def test_invite_errors_are_clear(api, workspace):
    unknown = api.post(_members(workspace), {"user": "nobody@example.com"}, format="json")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "No user has that username or email."
    member = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    again = api.post(_members(workspace), {"user": member.username}, format="json")
    assert again.status_code == 409 and "already a member" in again.json()["detail"]
    bad_role = api.post(_members(workspace), {"user": "x", "role": "god"}, format="json")
    assert bad_role.status_code == 400 and "role" in bad_role.json()["fields"]


def test_the_last_owner_can_be_neither_demoted_nor_removed(api, user, workspace):
    mine = Membership.objects.get(user=user, workspace=workspace)
    demote = api.patch(f"{_members(workspace)}{mine.pk}/", {"role": "admin"}, format="json")
    assert demote.status_code == 400
    assert "last owner" in demote.json()["detail"]
    remove = api.delete(f"{_members(workspace)}{mine.pk}/")
    assert remove.status_code == 400 and "last owner" in remove.json()["detail"]
    assert Membership.objects.get(pk=mine.pk).role == Role.OWNER
    assert not AuditEvent.objects.filter(
        action__in=["member.removed", "member.role_changed"]
    ).exists()

    # With a second owner, the first may step down.
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    stepped = api.patch(f"{_members(workspace)}{mine.pk}/", {"role": "editor"}, format="json")
    assert stepped.status_code == 200 and stepped.json()["role"] == "editor"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.VIEWER])
def test_only_owners_change_members(workspace, role):
    caller = MembershipFactory(workspace=workspace, role=role).user
    other = MembershipFactory(workspace=workspace, role=Role.VIEWER)
    client = _client(caller)
    assert client.get(_members(workspace)).status_code == 200
    UserFactory(username="newbie")
    assert client.post(_members(workspace), {"user": "newbie"}, format="json").status_code == 403
    url = f"{_members(workspace)}{other.pk}/"
    assert client.patch(url, {"role": "owner"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert Membership.objects.get(pk=other.pk).role == Role.VIEWER


def test_members_of_another_workspace_are_not_reachable(api, workspace, other_workspace):
    theirs = Membership.objects.filter(workspace=other_workspace).first()
    assert api.get(_members(other_workspace)).status_code == 404
    # A membership id of another workspace under mine is unknown too.
    assert api.delete(f"{_members(workspace)}{theirs.pk}/").status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def _credential(api, workspace, name="GitHub"):
    body = {
        "workspace": str(workspace.pk),
        "name": name,
        "kind": "api_key",
        "secret": {"api_key": SECRET},
    }
    response = api.post("/api/v1/credentials/", body, format="json")
    assert response.status_code == 201
    return Credential.objects.get(pk=response.json()["id"])


def _graph(credential_id: str | None) -> dict:
    config = {"url": "https://api.example.com/", "credential_id": credential_id}
    return {
        "nodes": [
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 0, "y": 0},
                "data": {"config": config},
            }
        ],
        "edges": [],
    }


def test_usage_lists_the_workflows_that_name_the_credential(api, workspace, other_workspace):
    credential = _credential(api, workspace)
    other = _credential(api, workspace, name="Other")
    Workflow.objects.create(
        workspace=workspace, name="Sync issues", graph=_graph(str(credential.pk))
    )
    Workflow.objects.create(workspace=workspace, name="Unrelated", graph=_graph(str(other.pk)))
    Workflow.objects.create(
        workspace=other_workspace, name="Elsewhere", graph=_graph(str(credential.pk))
    )
    response = api.get(f"/api/v1/credentials/{credential.pk}/usage/")
    assert response.status_code == 200
    assert [w["name"] for w in response.json()] == ["Sync issues"]
    listed = api.get("/api/v1/credentials/", {"workspace": str(workspace.pk)})
    for body in (response.content.decode(), listed.content.decode()):
        assert SECRET not in body


def test_admin_sets_and_replaces_a_secret_without_showing_it(user, workspace):
    user.is_staff = user.is_superuser = True
    user.save()
    browser = Client()
    browser.force_login(user)
    added = browser.post(
        "/admin/credentials/credential/add/",
        {
            "workspace": str(workspace.pk),
            "name": "Stripe",
            "kind": "api_key",
            "public_data": "{}",
            "secret_field": "",
            "secret_value": SECRET,
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    row = Credential.objects.get(name="Stripe")
    assert credential_services.secret_open(row) == {"api_key": SECRET}

    page = browser.get(f"/admin/credentials/credential/{row.pk}/change/").content.decode()
    assert 'name="secret_value"' in page and 'type="password"' in page
    assert SECRET not in page and "sealed" not in page

    replaced = browser.post(
        f"/admin/credentials/credential/{row.pk}/change/",
        {
            "name": "Stripe",
            "public_data": '{"location": "header", "name": "X-API-Key"}',
            "secret_field": "api_key",
            "secret_value": "sk_live_ReplacedValue42",
        },
    )
    assert replaced.status_code == 302, replaced.content.decode()[:2000]
    row.refresh_from_db()
    assert credential_services.secret_open(row) == {"api_key": "sk_live_ReplacedValue42"}
    assert AuditEvent.objects.filter(action="credential.updated", target_id=str(row.pk)).exists()

    wrong = browser.post(
        f"/admin/credentials/credential/{row.pk}/change/",
        {
            "name": "Stripe",
            "public_data": "{}",
            "secret_field": "password",
            "secret_value": "x" * 10,
        },
    )
    assert wrong.status_code == 200 and "has no secret" in wrong.content.decode()
    assert "x" * 10 not in wrong.content.decode()


def test_usage_counts_the_live_version_and_ignores_the_id_outside_a_config(api, user, workspace):
    from apps.workflows.models import WorkflowVersion

    credential = _credential(api, workspace)
    live = Workflow.objects.create(workspace=workspace, name="Live only", graph=_graph(None))
    version = WorkflowVersion.objects.create(
        workflow=live, number=1, graph=_graph(str(credential.pk))
    )
    Workflow.objects.filter(pk=live.pk).update(published_version=version)
    Workflow.objects.create(
        workspace=workspace,
        name="Mentions it in a note",
        description=str(credential.pk),
        graph={
            "nodes": [
                {
                    "id": "n",
                    "type": "transform",
                    "position": {"x": 0, "y": 0},
                    "data": {"label": str(credential.pk), "config": {}},
                }
            ],
            "edges": [],
        },
    )
    names = [w["name"] for w in api.get(f"/api/v1/credentials/{credential.pk}/usage/").json()]
    assert names == ["Live only"]
