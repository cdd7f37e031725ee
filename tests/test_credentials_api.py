"""Credential API: write-only secrets, validation, status, audit, connection test, isolation,
roles, the run-time resolver's workspace scoping, and key rotation."""

from __future__ import annotations

import base64
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound import ApiKeyHeader, ApiKeyQuery, BasicAuth, BearerToken
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.credentials import keyring as keyring_module
from apps.credentials import services
from apps.credentials.crypto import KeyRing
from apps.credentials.exceptions import CredentialUnavailable
from apps.credentials.models import Credential
from apps.credentials.resolver import secrets_for
from apps.credentials.services.credentials import _seal
from apps.workspaces.models import AuditEvent, Role
from apps.workspaces.tests.factories import UserFactory

SECRET = "sk_live_9Qm2xAPIKEYvalue"


def create(api, workspace, **overrides):
    body = {
        "workspace": str(workspace.pk),
        "name": "GitHub",
        "kind": "api_key",
        "config": {"location": "header", "name": "X-Api-Key"},
        "secret": {"api_key": SECRET},
    }
    body.update(overrides)
    return api.post("/api/v1/credentials/", body, format="json")


@pytest.fixture
def credential(api, workspace):
    response = create(api, workspace)
    assert response.status_code == 201, response.json()
    return Credential.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_create_returns_metadata_and_seals_the_secret(api, workspace):
    response = create(api, workspace)
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "api_key" and body["status"] == "connected"
    assert body["config"] == {"location": "header", "name": "X-Api-Key", "prefix": ""}
    assert body["secret_fields"] == ["api_key"]
    assert "secret" not in body and SECRET not in response.content.decode()
    row = Credential.objects.get(pk=body["id"])
    assert SECRET.encode() not in bytes(row.sealed)
    assert row.key_id == keyring_module.keyring().primary_key_id
    assert services.secret_open(row) == {"api_key": SECRET}
    assert SECRET not in repr(row) and SECRET not in str(row)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "config", "secret", "field"),
    [
        ("api_key", {}, {}, "secret.api_key"),
        ("api_key", {"location": "cookie"}, {"api_key": "x"}, "config.location"),
        ("basic", {}, {"password": "p"}, "config.username"),
        ("smtp", {"host": "smtp.example.com", "port": 70000}, {}, "config.port"),
        ("bearer", {}, {"token": "t", "extra": "x"}, "secret.extra"),
        ("oauth2_code", {"client_id": "c"}, {}, "config.authorization_url"),
        (
            "oauth2_client",
            {"client_id": "c", "token_url": "http://tokens.example.com/t"},
            {"client_secret": "s"},
            "config.token_url",
        ),
    ],
)
def test_invalid_input_names_the_field(api, workspace, kind, config, secret, field):
    response = create(api, workspace, kind=kind, config=config, secret=secret)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_duplicate_name_conflicts(api, workspace, credential):
    response = create(api, workspace)
    assert response.status_code == 409 and response.json()["fields"]["name"]


@pytest.mark.django_db
def test_patch_replaces_secret_fields_and_keeps_the_rest(api, workspace, credential):
    response = api.patch(
        f"/api/v1/credentials/{credential.pk}/",
        {"secret": {"api_key": "new-value-123"}, "config": {"prefix": "Token "}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert "new-value-123" not in response.content.decode()
    row = Credential.objects.get(pk=credential.pk)
    assert services.secret_open(row) == {"api_key": "new-value-123"}
    assert row.public_data["prefix"] == "Token " and row.public_data["name"] == "X-Api-Key"
    event = AuditEvent.objects.filter(action="credential.updated").get()
    assert event.data["changed"] == ["config.prefix", "secret.api_key"]
    unknown = api.patch(f"/api/v1/credentials/{credential.pk}/", {"kind": "bearer"}, format="json")
    assert unknown.status_code == 400


@pytest.mark.django_db
def test_list_filter_and_delete_with_audit(api, workspace, credential):
    listing = api.get("/api/v1/credentials/", {"workspace": str(workspace.pk)})
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert api.delete(f"/api/v1/credentials/{credential.pk}/").status_code == 204
    assert not Credential.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["credential.created", "credential.deleted"]


@pytest.mark.django_db
def test_status_warning_and_expired(api, workspace):
    soon = create(
        api, workspace, name="Soon", expires_at=(timezone.now() + timedelta(days=2)).isoformat()
    ).json()
    assert soon["status"] == "warning"
    late = create(
        api, workspace, name="Later", expires_at=(timezone.now() + timedelta(days=60)).isoformat()
    ).json()
    assert late["status"] == "connected"
    gone = create(
        api, workspace, name="Gone", expires_at=(timezone.now() - timedelta(days=1)).isoformat()
    ).json()
    assert gone["status"] == "error"


@pytest.mark.django_db
def test_injectors_per_kind(workspace, user):
    def make(name, kind, config, secret):
        return services.credential_create(
            workspace=workspace, actor=user, name=name, kind=kind, config=config, secret=secret
        )

    resolver = secrets_for(workspace_id=workspace.pk)
    header = make("h", "api_key", {"name": "Authorization", "prefix": "Token "}, {"api_key": "k1"})
    query = make("q", "api_key", {"location": "query", "name": "key"}, {"api_key": "k2"})
    bearer = make("b", "bearer", {}, {"token": "t1"})
    basic = make("u", "basic", {"username": "ann"}, {"password": "pw"})
    smtp = make("s", "smtp", {"host": "smtp.example.com", "username": "ann"}, {"password": "pw2"})
    assert resolver.auth_for(header.pk) == ApiKeyHeader(
        "k1", header="Authorization", prefix="Token "
    )
    assert resolver.auth_for(query.pk) == ApiKeyQuery("k2", param="key")
    assert resolver.auth_for(bearer.pk) == BearerToken("t1")
    assert resolver.auth_for(basic.pk) == BasicAuth("ann", "pw")
    assert resolver.values_for(smtp.pk) == {
        "host": "smtp.example.com",
        "username": "ann",
        "password": "pw2",
        "starttls": True,
        "ssl": False,
    }
    assert "pw" not in repr(resolver.auth_for(basic.pk))


@pytest.mark.django_db
def test_use_is_audited_once_a_minute(workspace, user, credential):
    resolver = secrets_for(workspace_id=workspace.pk, execution_id="e-1")
    for _ in range(3):
        resolver.auth_for(credential.pk)
    used = AuditEvent.objects.filter(action="credential.used")
    assert used.count() == 1
    assert used.get().data == {"name": "GitHub", "execution_id": "e-1"}
    assert Credential.objects.get(pk=credential.pk).last_used_at is not None


@pytest.mark.django_db
def test_resolver_refuses_another_workspaces_credential(workspace, other_workspace):
    owner = other_workspace.memberships.get().user
    foreign = services.credential_create(
        workspace=other_workspace,
        actor=owner,
        name="theirs",
        kind="bearer",
        secret={"token": "their-token"},
    )
    resolver = secrets_for(workspace_id=workspace.pk)
    for call in (resolver.auth_for, resolver.values_for):
        with pytest.raises(CredentialUnavailable) as caught:
            call(foreign.pk)
        assert caught.value.code == "credential_not_found"
        with pytest.raises(CredentialUnavailable):
            call("not-a-uuid")
    assert not AuditEvent.objects.filter(action="credential.used").exists()


@pytest.mark.django_db
def test_another_workspaces_credential_is_404_everywhere(api, other_workspace):
    owner = other_workspace.memberships.get().user
    foreign = services.credential_create(
        workspace=other_workspace,
        actor=owner,
        name="theirs",
        kind="bearer",
        secret={"token": "their-token"},
    )
    base = f"/api/v1/credentials/{foreign.pk}/"
    assert api.get(base).status_code == 404
    assert api.patch(base, {"name": "x"}, format="json").status_code == 404
    assert api.delete(base).status_code == 404
    assert api.post(base + "test/", {}, format="json").status_code == 404
    assert api.post(base + "oauth/start/").status_code == 404
    assert api.get("/api/v1/credentials/").json()["count"] == 0
    created = create(api, other_workspace, name="sneaky")
    assert created.status_code == 404
    assert Credential.objects.filter(pk=foreign.pk, name="theirs").exists()


@pytest.mark.django_db
def test_viewer_reads_metadata_but_cannot_write(member_api, workspace, credential):
    viewer = member_api(Role.VIEWER)
    base = f"/api/v1/credentials/{credential.pk}/"
    assert viewer.get(base).status_code == 200
    assert viewer.get("/api/v1/credentials/").json()["count"] == 1
    assert create(viewer, workspace, name="mine").status_code == 403
    assert viewer.patch(base, {"name": "x"}, format="json").status_code == 403
    assert viewer.delete(base).status_code == 403
    assert viewer.post(base + "test/", {}, format="json").status_code == 403
    assert viewer.post(base + "oauth/start/").status_code == 403
    editor = member_api(Role.EDITOR)
    assert editor.patch(base, {"name": "renamed"}, format="json").status_code == 200


@pytest.mark.django_db
def test_connection_test_through_the_connectors_health_check(api, workspace, settings):
    seen = []

    def handler(recorded):
        seen.append(recorded.headers.get("X-Api-Key"))
        ok = recorded.headers.get("X-Api-Key") == SECRET
        return Reply(status=200 if ok else 401, body=b"{}")

    with LocalServer() as server:
        server.route("/v1/me", handler)
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{server.port}"]
        connector = Connector.objects.create(
            slug="acme", name="Acme", base_url=server.url("/v1"), health_check_operation="me"
        )
        ConnectorOperation.objects.create(
            connector=connector, key="me", name="Me", method="GET", path="/me"
        )
        cred = create(api, workspace, connector="acme").json()
        result = api.post(f"/api/v1/credentials/{cred['id']}/test/", {}, format="json")
        assert result.status_code == 200, result.json()
        assert result.json()["ok"] is True and result.json()["status"] == 200
        api.patch(
            f"/api/v1/credentials/{cred['id']}/",
            {"secret": {"api_key": "wrong-key"}},
            format="json",
        )
        refused = api.post(f"/api/v1/credentials/{cred['id']}/test/", {}, format="json").json()
        assert refused["ok"] is False and refused["status"] == 401
        assert api.get(f"/api/v1/credentials/{cred['id']}/").json()["status"] == "error"
        by_url = api.post(
            f"/api/v1/credentials/{cred['id']}/test/", {"url": server.url("/v1/me")}, format="json"
        ).json()
        assert by_url["status"] == 401
    assert seen[0] == SECRET


@pytest.mark.django_db
def test_connection_test_refuses_private_targets(api, workspace, credential, settings):
    settings.OUTBOUND_ALLOWLIST = []
    result = api.post(
        f"/api/v1/credentials/{credential.pk}/test/", {"url": "http://127.0.0.1:9/"}, format="json"
    ).json()
    assert result["ok"] is False and "Unreachable" in result["detail"]


@pytest.mark.django_db
def test_rotate_credentials_key_reseals_everything_idempotently(api, workspace, user, settings):
    from apps.triggers.models import Trigger
    from apps.triggers.services import _aad
    from apps.workflows.tests.factories import WorkflowFactory

    create(api, workspace, name="one")
    create(api, workspace, name="two", kind="bearer", config={}, secret={"token": "tok-abc"})
    workflow = WorkflowFactory(workspace=workspace)
    trigger = Trigger.objects.create(
        workflow=workflow, workspace=workspace, node_id="hook", kind="webhook", config={}
    )
    trigger.secret_ciphertext = keyring_module.keyring().seal(b"whsec-1", aad=_aad(trigger))
    trigger.save()
    old_spec = settings.CREDENTIAL_KEYS
    new_spec = KeyRing.generate_spec("k-new") + "," + old_spec
    settings.CREDENTIAL_KEYS = new_spec
    keyring_module.keyring.cache_clear()
    try:
        out = StringIO()
        call_command("rotate_credentials_key", stdout=out)
        assert "credentials: rotated=2 already_current=0 failed=0" in out.getvalue()
        assert "trigger_secrets: rotated=1" in out.getvalue()
        out = StringIO()
        call_command("rotate_credentials_key", stdout=out)
        assert "credentials: rotated=0 already_current=2 failed=0" in out.getvalue()
        # Only the new key is needed now.
        settings.CREDENTIAL_KEYS = new_spec.split(",")[0]
        keyring_module.keyring.cache_clear()
        for row in Credential.objects.all():
            assert row.key_id == "k-new" and services.secret_open(row)
        trigger.refresh_from_db()
        assert (
            keyring_module.keyring().open(bytes(trigger.secret_ciphertext), aad=_aad(trigger))
            == b"whsec-1"
        )
    finally:
        settings.CREDENTIAL_KEYS = old_spec
        keyring_module.keyring.cache_clear()


@pytest.mark.django_db
def test_sealed_blob_is_bound_to_its_row(workspace, user, other_workspace):
    from apps.credentials.crypto import InvalidCiphertext

    mine = services.credential_create(
        workspace=workspace, actor=user, name="a", kind="bearer", secret={"token": "t-mine"}
    )
    other = services.credential_create(
        workspace=other_workspace,
        actor=UserFactory(),
        name="b",
        kind="bearer",
        secret={"token": "t-other"},
    )
    Credential.objects.filter(pk=other.pk).update(sealed=mine.sealed)  # copy the blob across
    with pytest.raises(InvalidCiphertext):
        services.secret_open(Credential.objects.get(pk=other.pk))
    assert base64.b64encode(b"t-mine") not in bytes(mine.sealed)


@pytest.mark.django_db
def test_values_for_oauth_hides_what_mints_tokens_and_smtp_has_no_injector(workspace, user):
    from apps.blocks.sdk import BlockError

    oauth_cred = services.credential_create(
        workspace=workspace,
        actor=user,
        name="o",
        kind="oauth2_client",
        config={"client_id": "c", "token_url": "https://auth.example.com/token"},
        secret={"client_secret": "cs-1"},
    )
    row = Credential.objects.get(pk=oauth_cred.pk)
    _seal(row, {"client_secret": "cs-1", "access_token": "at-1"})
    row.access_expires_at = timezone.now() + timedelta(hours=1)
    row.save()
    resolver = secrets_for(workspace_id=workspace.pk)
    values = resolver.values_for(row.pk)
    assert values["access_token"] == "at-1" and "client_secret" not in values
    smtp = services.credential_create(
        workspace=workspace,
        actor=user,
        name="m",
        kind="smtp",
        config={"host": "smtp.example.com"},
        secret={},
    )
    with pytest.raises(BlockError) as caught:
        resolver.auth_for(smtp.pk)
    assert caught.value.code == "credential_kind"
