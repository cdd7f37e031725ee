"""Reads for workspaces and memberships, always scoped to the caller."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.exceptions import NotFound, PermissionDenied
from apps.workspaces.models import ApiToken, AuditEvent, Membership, Role, Workspace
from apps.workspaces.tokens import token_matches, token_parse_prefix


def workspace_list(*, user: User) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def membership_get(*, user: User, workspace_id: object) -> Membership:
    """The caller's membership in a workspace; NotFound when they are not a member."""
    try:
        return Membership.objects.select_related("workspace").get(
            user=user, workspace_id=workspace_id
        )
    except (Membership.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # A malformed id (ValidationError from the UUID field) is just another unknown one.
        raise NotFound("Workspace not found.") from exc


def membership_require(*, user: User, workspace_id: object, role: str) -> Membership:
    """The caller's membership, which must be at least `role` (PermissionDenied otherwise)."""
    membership = membership_get(user=user, workspace_id=workspace_id)
    if not membership.allows(role):
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role in the workspace.")
    return membership


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def api_token_authenticate(*, token: str) -> ApiToken | None:
    """The live token matching `token`, or None. Constant-time digest comparison."""
    prefix = token_parse_prefix(token)
    if prefix is None:
        return None
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if api_token is None or not token_matches(token, api_token.digest):
        return None
    if api_token.expires_at is not None and api_token.expires_at <= timezone.now():
        return None
    return api_token


def audit_event_list(*, user: User) -> QuerySet[AuditEvent]:
    """Audit events of the workspaces where the caller is an admin or owner."""
    admin_of = Membership.objects.filter(user=user, role__in=[Role.ADMIN, Role.OWNER]).values(
        "workspace_id"
    )
    return AuditEvent.objects.filter(workspace_id__in=admin_of).select_related("actor")


@dataclass(frozen=True)
class RunBudgets:
    max_steps: int
    max_step_output_bytes: int
    max_run_output_bytes: int


_BUDGETS_TTL_S = 10.0  # a change in the admin reaches every worker within this
_budgets: dict[str, tuple[float, RunBudgets]] = {}


def workspace_budgets(*, workspace_id: object) -> RunBudgets:
    """A run's budgets in this workspace: its own, else the platform's. Cached briefly per
    process, as a worker reads them for every run it claims."""
    key = str(workspace_id)
    now = time.monotonic()
    cached = _budgets.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    own = (
        Workspace.objects.filter(pk=workspace_id)
        .values("max_steps_per_run", "max_step_output_bytes", "max_run_output_bytes")
        .first()
    ) or {}
    budgets = RunBudgets(
        max_steps=own.get("max_steps_per_run") or settings.EXECUTION_MAX_STEPS,
        max_step_output_bytes=(
            own.get("max_step_output_bytes") or settings.EXECUTION_MAX_STEP_OUTPUT_BYTES
        ),
        max_run_output_bytes=(
            own.get("max_run_output_bytes") or settings.EXECUTION_MAX_RUN_OUTPUT_BYTES
        ),
    )
    if len(_budgets) > 10_000:
        _budgets.clear()
    _budgets[key] = (now + _BUDGETS_TTL_S, budgets)
    return budgets


def workspace_budgets_forget() -> None:
    """Drop the per-process cache (tests; a change is otherwise seen within its TTL)."""
    _budgets.clear()
