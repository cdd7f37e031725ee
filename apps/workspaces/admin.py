from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from apps.core.exceptions import ApplicationError
from apps.workspaces.models import ApiToken, AuditEvent, Membership, Workspace
from apps.workspaces.services import membership_remove, membership_set


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        ("Retention", {"fields": ["keep_succeeded_days", "keep_failed_days"]}),
        (
            "Run budgets (empty: the platform's default)",
            {"fields": ["max_steps_per_run", "max_step_output_bytes", "max_run_output_bytes"]},
        ),
    ]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Member changes go through the services, so each one is audited."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        changed = formset.save(commit=False)
        for membership in formset.deleted_objects:
            try:
                membership_remove(membership=membership, actor=request.user)
            except ApplicationError as exc:  # the last owner stays
                messages.error(request, exc.detail)
        # A row whose user was changed adds that user; the old member stays until deleted.
        for membership in changed:
            membership_set(
                workspace=form.instance,
                user=membership.user,
                role=membership.role,
                actor=request.user,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    search_fields = ["name", "user__username", "prefix"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created through the API so the plaintext is shown once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "workspace",
        "actor",
        "action",
        "target_type",
        "target_id",
        "ip_address",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id", "request_id", "ip_address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
