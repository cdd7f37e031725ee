import pytest
from rest_framework.test import APIClient

from apps.workspaces.models import ApiToken, AuditEvent, Role
from apps.workspaces.services import audit_record

pytestmark = pytest.mark.django_db


def test_me_lists_workspaces_with_roles(api, user, workspace, other_workspace):
    body = api.get("/api/v1/me/").json()
    assert body["username"] == user.username
    assert body["workspaces"] == [
        {
            "id": str(workspace.id),
            "name": workspace.name,
            "slug": workspace.slug,
            "role": "owner",
            "keep_succeeded_days": 30,
            "keep_failed_days": 90,
            "created_at": body["workspaces"][0]["created_at"],
        }
    ]


def test_workspace_list_and_detail_are_scoped(api, workspace, other_workspace):
    listed = api.get("/api/v1/workspaces/").json()["results"]
    assert [w["id"] for w in listed] == [str(workspace.id)]
    assert api.get(f"/api/v1/workspaces/{other_workspace.id}/").status_code == 404
    assert api.get(f"/api/v1/workspaces/{other_workspace.id}/members/").status_code == 404
    members = api.get(f"/api/v1/workspaces/{workspace.id}/members/").json()
    assert [m["role"] for m in members] == ["owner"]


def test_create_workspace_makes_caller_owner(api):
    response = api.post("/api/v1/workspaces/", {"name": "Team"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "owner" and response.json()["slug"] == "team"


def test_token_is_shown_once_and_stored_hashed(api, user):
    response = api.post("/api/v1/tokens/", {"name": "ci"}, format="json")
    assert response.status_code == 201
    token = response.json()["token"]
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert token not in (stored.digest, stored.prefix) and len(stored.digest) == 64
    listed = api.get("/api/v1/tokens/").json()["results"]
    assert all("token" not in t for t in listed)

    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert fresh.get("/api/v1/me/").status_code == 200
    assert api.delete(f"/api/v1/tokens/{stored.id}/").status_code == 204
    assert fresh.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer fp_abcdef0123_not-the-secret",
        "Bearer not-even-our-format",
        "Bearer ",
    ],
)
def test_forged_tokens_are_refused(api, header):
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=header)
    response = forged.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["type"] == "authentication_failed"


def test_token_of_another_user_cannot_be_revoked(api, user, member_api):
    member_api(Role.VIEWER)  # creates another user with a token
    theirs = ApiToken.objects.exclude(user=user).get()
    mine = api.get("/api/v1/tokens/").json()["results"]
    assert str(theirs.id) not in {t["id"] for t in mine}
    assert api.delete(f"/api/v1/tokens/{theirs.id}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_audit_log_is_for_admins_of_the_workspace(api, workspace, other_workspace, member_api):
    audit_record(workspace=workspace, actor=None, action="test.mine")
    audit_record(workspace=other_workspace, actor=None, action="test.theirs")
    actions = [e["action"] for e in api.get("/api/v1/audit-events/").json()["results"]]
    assert "test.mine" in actions and "test.theirs" not in actions

    viewer = member_api(Role.VIEWER)
    assert viewer.get("/api/v1/audit-events/").json()["results"] == []
    assert viewer.get(f"/api/v1/audit-events/?workspace={workspace.id}").status_code == 403
    assert api.get(f"/api/v1/audit-events/?workspace={other_workspace.id}").status_code == 404


def test_audit_events_are_append_only(workspace):
    event = audit_record(workspace=workspace, actor=None, action="x")
    event.action = "y"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "x"
