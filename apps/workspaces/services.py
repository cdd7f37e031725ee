"""Writes for workspaces, memberships, API tokens and the audit log."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from apps.core.exceptions import Conflict, InvalidInput, NotFound
from apps.workspaces.models import ApiToken, AuditEvent, Membership, Role, Workspace
from apps.workspaces.request_meta import current_request_meta
from apps.workspaces.tokens import token_generate


def workspace_create(*, name: str, owner: User, slug: str = "") -> Workspace:
    """Create a workspace with `owner` as its owner."""
    base = slugify(slug or name)[:50] or "workspace"
    candidate, n = base, 1
    while Workspace.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name, slug=candidate)
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        audit_record(workspace=workspace, actor=owner, action="workspace.created", target=workspace)
    return workspace


def workspace_retention_set(
    *,
    workspace: Workspace,
    actor: User,
    keep_succeeded_days: int | None = None,
    keep_failed_days: int | None = None,
) -> Workspace:
    """Change how long the workspace's finished runs are kept."""
    changes = {
        name: value
        for name, value in (
            ("keep_succeeded_days", keep_succeeded_days),
            ("keep_failed_days", keep_failed_days),
        )
        if value is not None and value != getattr(workspace, name)
    }
    if not changes:
        return workspace
    with transaction.atomic():
        Workspace.objects.filter(pk=workspace.pk).update(**changes)
        audit_record(
            workspace=workspace,
            actor=actor,
            action="workspace.retention_changed",
            target=workspace,
            data={"before": {k: getattr(workspace, k) for k in changes}, "after": changes},
        )
    for name, value in changes.items():
        setattr(workspace, name, value)
    return workspace


def membership_set(
    *, workspace: Workspace, user: User, role: str, actor: User | None = None
) -> Membership:
    """Add `user` to `workspace` with `role`, or change their role."""
    with transaction.atomic():
        before = (
            Membership.objects.select_for_update()
            .filter(workspace=workspace, user=user)
            .values_list("role", flat=True)
            .first()
        )
        membership, _ = Membership.objects.update_or_create(
            workspace=workspace, user=user, defaults={"role": role}
        )
        if before != role:
            action = "member.added" if before is None else "member.role_changed"
            audit_record(
                workspace=workspace,
                actor=actor,
                action=action,
                target=membership,
                data={
                    "user_id": user.pk,
                    "username": user.get_username(),
                    "role": role,
                    "previous_role": before,
                },
            )
    return membership


def membership_invite(
    *, workspace: Workspace, identifier: str, role: str, actor: User
) -> Membership:
    """Add an existing user, named by username or email, to `workspace` with `role`."""
    identifier = identifier.strip()
    user = (
        (
            User.objects.filter(is_active=True)
            .filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
            .order_by("pk")
            .first()
        )
        if identifier
        else None
    )
    if user is None:
        raise NotFound(
            "No user has that username or email.",
            fields={"user": ["No user has that username or email."]},
        )
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise Conflict(
            f"{user.get_username()} is already a member.",
            fields={"user": ["Already a member of this workspace."]},
        )
    return membership_set(workspace=workspace, user=user, role=role, actor=actor)


def _lock_owners(workspace_id: Any) -> list[int]:
    """Lock the workspace's owner rows, so two demotions cannot both leave it ownerless."""
    return list(
        Membership.objects.select_for_update()
        .order_by("pk")
        .filter(workspace_id=workspace_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )


def membership_role_change(*, membership: Membership, role: str, actor: User) -> Membership:
    """Change a member's role; the workspace's last owner cannot be demoted."""
    with transaction.atomic():
        owners = _lock_owners(membership.workspace_id)
        current = (
            Membership.objects.select_for_update()
            .select_related("user", "workspace")
            .get(pk=membership.pk)
        )
        if current.role == Role.OWNER and role != Role.OWNER and owners == [current.pk]:
            raise InvalidInput(
                "The workspace's last owner cannot be demoted: make another member an owner first.",
                fields={"role": ["The last owner must stay an owner."]},
            )
        return membership_set(
            workspace=current.workspace, user=current.user, role=role, actor=actor
        )


def membership_remove(*, membership: Membership, actor: User | None = None) -> None:
    """Take a member out of their workspace; never its last owner."""
    with transaction.atomic():
        owners = _lock_owners(membership.workspace_id)
        # The row as it is now: the caller's copy may hold an older role.
        locked = (
            Membership.objects.select_for_update()
            .select_related("user", "workspace")
            .filter(pk=membership.pk)
            .first()
        )
        if locked is None:
            return
        if owners == [locked.pk]:
            raise InvalidInput(
                "The workspace's last owner cannot be removed: make another member an owner first."
            )
        user = locked.user
        audit_record(
            workspace=locked.workspace,
            actor=actor,
            action="member.removed",
            target=locked,
            data={"user_id": user.pk, "username": user.get_username(), "role": locked.role},
        )
        locked.delete()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext, which is shown once and never again."""
    token, prefix, digest = token_generate()
    api_token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=digest)
    audit_record(workspace=None, actor=user, action="api_token.created", target=api_token)
    return api_token, token


def api_token_revoke(*, api_token: ApiToken, actor: User) -> None:
    ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(workspace=None, actor=actor, action="api_token.revoked", target=api_token)


def audit_record(
    *,
    workspace: Workspace | None,
    actor: User | None,
    action: str,
    target: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append an audit event. `data` must not hold secrets: callers pass ids and names only."""
    event = audit_build(
        workspace_id=workspace.pk if workspace is not None else None,
        actor=actor,
        action=action,
        target=target,
        data=data,
        ip_address=ip_address,
    )
    event.save()
    return event


def audit_build(
    *,
    workspace_id: Any,
    actor: User | None,
    action: str,
    target: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """An unsaved audit event, for callers that write it together with other rows.
    Address, user agent and request id come from the current request, if there is one."""
    meta = current_request_meta()
    return AuditEvent(
        workspace_id=workspace_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "")) if target is not None else "",
        data=data or {},
        ip_address=ip_address or meta.ip_address,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
    )
