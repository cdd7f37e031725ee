from django.contrib import admin

from apps.connectors.models import Connector, ConnectorOperation


class OperationInline(admin.StackedInline):
    model = ConnectorOperation
    extra = 0
    fields = ["key", "name", "method", "path", "enabled", "description", "utterances"]
    show_change_link = True


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "enabled", "version"]
    list_filter = ["category", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["name", "slug", "description"]
    inlines = [OperationInline]


@admin.register(ConnectorOperation)
class ConnectorOperationAdmin(admin.ModelAdmin):
    list_display = ["connector", "key", "method", "path", "enabled"]
    list_filter = ["method", "enabled"]
    search_fields = ["key", "name", "path", "connector__slug"]
