from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.workflows.models import Execution, ExecutionStep, Workflow, WorkflowVersion


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "status", "version", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name"]


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    list_display = ["workflow", "number", "published_by", "published_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExecutionStepInline(admin.TabularInline):
    model = ExecutionStep
    extra = 0
    can_delete = False
    fields = [
        "node_id",
        "item_key",
        "block_type",
        "status",
        "attempts",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ["id", "workflow", "mode", "status", "created_at", "finished_at"]
    list_filter = ["status", "mode"]
    inlines = [ExecutionStepInline]
