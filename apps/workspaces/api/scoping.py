"""Workspace scoping for viewsets: reads need membership, writes need a role."""

from typing import Any

from rest_framework.request import Request

from apps.core.api.auth import caller
from apps.workspaces.api.throttling import workspace_throttle
from apps.workspaces.models import Membership, Role
from apps.workspaces.selectors import membership_require


def require_role(request: Request, workspace_id: Any, role: str = Role.EDITOR) -> Membership:
    """403 unless the caller has `role` in the workspace (404 if not a member at all); 429
    when the workspace is over its rate. Members only count: outsiders cannot use it up."""
    membership = membership_require(user=caller(request), workspace_id=workspace_id, role=role)
    workspace_throttle(request, workspace_id)
    return membership
