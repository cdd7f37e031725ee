"""Workspace, token, audit and identity endpoints: validate, call a service, serialize."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.auth import caller
from apps.core.api.pagination import CreatedCursorPagination
from apps.core.exceptions import NotFound
from apps.workspaces import selectors, services
from apps.workspaces.api.filters import AuditEventFilter
from apps.workspaces.api.schema import ErrorOutput
from apps.workspaces.api.scoping import require_role
from apps.workspaces.api.serializers import (
    ApiTokenCreatedOutput,
    ApiTokenCreateInput,
    ApiTokenOutput,
    AuditEventOutput,
    MemberInviteInput,
    MembershipOutput,
    MemberUpdateInput,
    MeOutput,
    WorkspaceCreateInput,
    WorkspaceOutput,
    WorkspaceUpdateInput,
)
from apps.workspaces.models import ApiToken, AuditEvent, Membership, Role, Workspace


def _roles(user: User) -> dict[Any, str]:
    return dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))


class MeView(APIView):
    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        user = caller(request)
        workspaces = selectors.workspace_list(user=user)
        data = MeOutput(
            {
                "id": user.pk,
                "username": user.get_username(),
                "email": user.email,
                "workspaces": workspaces,
            },
            context={"roles": _roles(user)},
        ).data
        return Response(data)


class WorkspaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = WorkspaceOutput
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[Workspace]:
        return selectors.workspace_list(user=self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "roles": _roles(self.request.user)}

    @extend_schema(request=WorkspaceCreateInput, responses={201: WorkspaceOutput})
    def create(self, request: Request) -> Response:
        data = WorkspaceCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = services.workspace_create(owner=caller(request), **data.validated_data)
        return Response(self.get_serializer(workspace).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WorkspaceUpdateInput, responses={200: WorkspaceOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        workspace = self.get_object()
        require_role(request, workspace.pk, Role.ADMIN)
        data = WorkspaceUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = services.workspace_retention_set(
            workspace=workspace, actor=caller(request), **data.validated_data
        )
        return Response(self.get_serializer(workspace).data)

    @extend_schema(responses=MembershipOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request: Request, pk: str) -> Response:
        """Every member with their role (any member may look)."""
        workspace = self.get_object()
        members = workspace.memberships.select_related("user").order_by("user__username")
        return Response(MembershipOutput(members, many=True).data)

    @extend_schema(request=MemberInviteInput, responses={201: MembershipOutput, 409: ErrorOutput})
    @members.mapping.post
    def invite(self, request: Request, pk: str) -> Response:
        """Add an existing user by username or email (owners only)."""
        workspace = self.get_object()
        require_role(request, workspace.pk, Role.OWNER)
        data = MemberInviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_invite(
            workspace=workspace,
            identifier=data.validated_data["user"],
            role=data.validated_data["role"],
            actor=request.user,
        )
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)

    def _member(self, request: Request, membership_id: str) -> Membership:
        workspace = self.get_object()
        require_role(request, workspace.pk, Role.OWNER)
        membership = workspace.memberships.select_related("user").filter(pk=membership_id).first()
        if membership is None:
            raise NotFound("Member not found.")
        return membership

    @extend_schema(request=MemberUpdateInput, responses=MembershipOutput)
    @action(detail=True, methods=["patch"], url_path=r"members/(?P<membership_id>\d+)")
    def member(self, request: Request, pk: str, membership_id: str) -> Response:
        """Change a member's role (owners only; the last owner stays an owner)."""
        membership = self._member(request, membership_id)
        data = MemberUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_role_change(
            membership=membership, role=data.validated_data["role"], actor=request.user
        )
        return Response(MembershipOutput(membership).data)

    @extend_schema(request=None, responses={204: None, 400: ErrorOutput})
    @member.mapping.delete
    def remove_member(self, request: Request, pk: str, membership_id: str) -> Response:
        """Take a member out (owners only; never the last owner)."""
        services.membership_remove(
            membership=self._member(request, membership_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenOutput

    def get_queryset(self) -> QuerySet[ApiToken]:
        return selectors.api_token_list(user=self.request.user)

    @extend_schema(request=ApiTokenCreateInput, responses={201: ApiTokenCreatedOutput})
    def create(self, request: Request) -> Response:
        data = ApiTokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        api_token, token = services.api_token_create(user=caller(request), **data.validated_data)
        api_token.token = token
        return Response(ApiTokenCreatedOutput(api_token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.api_token_revoke(api_token=instance, actor=self.request.user)


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventOutput
    pagination_class = CreatedCursorPagination
    filterset_class = AuditEventFilter

    def get_queryset(self) -> QuerySet[AuditEvent]:
        workspace = self.request.query_params.get("workspace")
        if workspace:
            require_role(self.request, workspace, Role.ADMIN)
        return selectors.audit_event_list(user=self.request.user)
