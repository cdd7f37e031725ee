"""Serializers for workspaces, tokens and the audit log."""

from typing import Any

from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.workspaces.models import ApiToken, AuditEvent, Membership, Role, Workspace


class WorkspaceOutput(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = [
            "id",
            "name",
            "slug",
            "role",
            "keep_succeeded_days",
            "keep_failed_days",
            "created_at",
        ]

    def get_role(self, workspace: Workspace) -> str | None:
        roles: dict[Any, str] = self.context.get("roles", {})
        return roles.get(workspace.id)


class WorkspaceCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=120)


class WorkspaceUpdateInput(StrictSerializer):
    keep_succeeded_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    keep_failed_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class MembershipOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "email", "role", "created_at"]


class MemberInviteInput(StrictSerializer):
    user = serializers.CharField(max_length=254, help_text="An existing user's username or email.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.EDITOR)


class MemberUpdateInput(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    workspaces = WorkspaceOutput(many=True)


class ApiTokenOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at"]


class ApiTokenCreatedOutput(ApiTokenOutput):
    token = serializers.CharField(help_text="Shown once; store it now.")

    class Meta(ApiTokenOutput.Meta):
        fields = [*ApiTokenOutput.Meta.fields, "token"]


class ApiTokenCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=100)


class AuditEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "workspace",
            "actor",
            "action",
            "target_type",
            "target_id",
            "data",
            "ip_address",
            "user_agent",
            "request_id",
            "created_at",
        ]
