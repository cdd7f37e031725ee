"""Catalogue curation: search, category filters, inline operations, OpenAPI import (file or
URL), enable/disable, connection test. Every save records which imported fields the operator
changed, so a re-import keeps them. Actions and views call services; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.connectors import health, services
from apps.connectors.exceptions import ConnectionTestFailed, ImportFailed
from apps.connectors.models import Connector, ConnectorOperation

MAX_INLINE_OPERATIONS = 80  # beyond this the page (and its POST) grows too large; link instead
MAX_CONNECTION_TESTS = 10


class LinesField(forms.Field):
    """A list of short strings edited as one per line (routing utterances)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 80})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(item).strip() for item in value if str(item).strip()]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


def _formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class ConnectorForm(forms.ModelForm):
    utterances = LinesField(required=False, help_text="One per line.")

    class Meta:
        model = Connector
        formfield_callback = _formfield
        fields = [
            "slug",
            "name",
            "category",
            "enabled",
            "order",
            "icon",
            "description",
            "docs_url",
            "base_url",
            "auth_schemes",
            "version",
            "rate_limit",
            "retry_policy",
            "breaker_policy",
            "health_check_operation",
            "utterances",
            "route_threshold",
            "tool_role",
            "tool_goal",
            "tool_backstory",
        ]


class OperationForm(forms.ModelForm):
    utterances = LinesField(required=False, help_text="One per line.")

    class Meta:
        model = ConnectorOperation
        fields = [
            "connector",
            "key",
            "name",
            "method",
            "path",
            "enabled",
            "deprecated",
            "description",
            "utterances",
            "tags",
            "parameters_schema",
            "body_schema",
            "body_content_type",
        ]


def _record_edits(instance: Connector | ConnectorOperation, form: forms.ModelForm) -> None:
    instance.locally_edited = services.local_edits_merge(
        current=instance.locally_edited or [],
        changed=form.changed_data,
        tracked=type(instance).IMPORTED_FIELDS,
    )


class OperationInline(admin.TabularInline):
    model = ConnectorOperation
    form = OperationForm
    extra = 0
    fields = ["key", "name", "method", "path", "enabled"]
    show_change_link = True
    ordering = ["key"]


class HasLocalEditsFilter(admin.SimpleListFilter):
    title = "local edits"
    parameter_name = "edited"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Edited by hand"), ("no", "As imported")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.exclude(locally_edited=[])
        if self.value() == "no":
            return queryset.filter(locally_edited=[])
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        help_text=(
            "An OpenAPI 3 or Swagger 2.0 document, YAML or JSON. Uploads are limited by "
            "MAX_REQUEST_BYTES; import larger documents by URL or with `manage.py import_openapi`."
        ),
    )
    url = forms.URLField(
        required=False, assume_scheme="https", help_text="Or fetch the document from this address."
    )
    slug = forms.SlugField(
        required=False,
        max_length=80,
        help_text="Defaults to one made from the API title. An existing "
        "slug updates that connector in place.",
    )
    name = forms.CharField(required=False, max_length=120)
    category = forms.ChoiceField(
        required=False, choices=[("", "(keep / guess)"), *Connector.Category.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError("Give either a file or a URL.")
        return data


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    form = ConnectorForm
    formfield_overrides = URL_FIELDS
    list_display = ["name", "slug", "category", "enabled", "operation_count", "version", "edited"]
    list_filter = ["category", "enabled", HasLocalEditsFilter]
    list_editable = ["enabled"]
    list_select_related = False
    search_fields = ["name", "slug", "description", "base_url"]
    ordering = ["category", "order", "name"]
    sortable_by = ["name", "slug", "category", "enabled", "version", "operation_count"]
    readonly_fields = [
        "locally_edited",
        "source",
        "imported_at",
        "created_at",
        "updated_at",
        "operations_link",
    ]
    actions = ["enable", "disable", "test_connection", "forget_local_edits"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "name",
                    "category",
                    "enabled",
                    "order",
                    "icon",
                    "description",
                    "docs_url",
                ]
            },
        ),
        (
            "Calling the API",
            {
                "fields": [
                    "base_url",
                    "auth_schemes",
                    "version",
                    "rate_limit",
                    "retry_policy",
                    "breaker_policy",
                    "health_check_operation",
                ]
            },
        ),
        (
            "Routing and tool wrapper",
            {
                "fields": [
                    "utterances",
                    "route_threshold",
                    "tool_role",
                    "tool_goal",
                    "tool_backstory",
                ]
            },
        ),
        (
            "Import",
            {
                "fields": [
                    "locally_edited",
                    "source",
                    "imported_at",
                    "operations_link",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Connector]:
        return super().get_queryset(request).annotate(operation_total=Count("operations"))

    @admin.display(description="operations", ordering="operation_total")
    def operation_count(self, obj: Connector) -> int:
        return getattr(obj, "operation_total", 0)

    @admin.display(description="edited", boolean=True)
    def edited(self, obj: Connector) -> bool:
        return bool(obj.locally_edited)

    @admin.display(description="all operations")
    def operations_link(self, obj: Connector) -> str:
        if not obj.pk:
            return "-"
        url = reverse("admin:connectors_connectoroperation_changelist")
        return format_html(
            '<a href="{}?connector__id__exact={}">{} operations</a>',
            url,
            obj.pk,
            obj.operations.count(),
        )

    def get_inlines(self, request: HttpRequest, obj: Connector | None) -> list[Any]:
        if obj is not None and obj.operations.count() > MAX_INLINE_OPERATIONS:
            return []
        return [OperationInline]

    def save_model(
        self, request: HttpRequest, obj: Connector, form: forms.ModelForm, change: bool
    ) -> None:
        _record_edits(obj, form)
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                _record_edits(inline_form.instance, inline_form)
        super().save_formset(request, form, formset, change)

    # -- actions --------------------------------------------------------------------------

    @admin.action(description="Enable selected connectors", permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet[Connector]) -> None:
        changed = services.connector_set_enabled(connectors=queryset, enabled=True)
        self.message_user(request, f"Enabled {changed} connector(s).", messages.SUCCESS)

    @admin.action(description="Disable selected connectors", permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet[Connector]) -> None:
        changed = services.connector_set_enabled(connectors=queryset, enabled=False)
        self.message_user(request, f"Disabled {changed} connector(s).", messages.SUCCESS)

    @admin.action(description="Test connection (health-check operation)", permissions=["view"])
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Connector]) -> None:
        connectors = list(queryset[: MAX_CONNECTION_TESTS + 1])
        if len(connectors) > MAX_CONNECTION_TESTS:
            self.message_user(
                request,
                f"Test at most {MAX_CONNECTION_TESTS} connectors at a time.",
                messages.WARNING,
            )
            return
        for connector in connectors:
            try:
                check = health.connector_test_connection(connector=connector)
            except ConnectionTestFailed as exc:
                self.message_user(request, f"{connector.name}: {exc.detail}", messages.ERROR)
                continue
            level = messages.SUCCESS if check.ok else messages.WARNING
            self.message_user(
                request, f"{connector.name}: {check.detail} ({check.elapsed_ms} ms)", level
            )

    @admin.action(description="Forget local edits (next import overwrites)", permissions=["change"])
    def forget_local_edits(self, request: HttpRequest, queryset: QuerySet[Connector]) -> None:
        count = services.connector_forget_local_edits(connectors=queryset)
        self.message_user(
            request, f"Cleared local edits of {count} connector(s).", messages.SUCCESS
        )

    # -- OpenAPI import view ---------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.import_openapi_view)
        return [
            path("import-openapi/", view, name="connectors_connector_import"),
            *super().get_urls(),
        ]

    def import_openapi_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = (
            ImportForm(request.POST, request.FILES) if request.method == "POST" else (ImportForm())
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                if data["file"]:
                    content = data["file"].read()
                    source, source_url = f"upload:{data['file'].name}", ""
                else:
                    content = services.openapi_fetch(url=data["url"])
                    source = source_url = data["url"]
                report = services.connector_import_document(
                    data=content,
                    source=source,
                    source_url=source_url,
                    slug=data["slug"] or None,
                    name=data["name"] or None,
                    category=data["category"] or None,
                    force=True,
                )
            except ImportFailed as exc:
                form.add_error(None, exc.detail)
            else:
                self.message_user(request, report.summary(), messages.SUCCESS)
                for warning in report.warnings[:5]:
                    self.message_user(request, f"Warning: {warning}", messages.WARNING)
                return HttpResponseRedirect(
                    reverse("admin:connectors_connector_change", args=[report.connector.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Import an OpenAPI document",
        }
        return TemplateResponse(request, "admin/connectors/connector/import_openapi.html", context)


@admin.register(ConnectorOperation)
class ConnectorOperationAdmin(admin.ModelAdmin):
    form = OperationForm
    list_display = ["key", "connector", "method", "path", "enabled", "deprecated"]
    list_filter = ["method", "enabled", "deprecated", "connector__category"]
    list_select_related = ["connector"]
    search_fields = ["key", "name", "path", "connector__slug"]
    ordering = ["connector__name", "key"]
    autocomplete_fields = ["connector"]
    readonly_fields = ["locally_edited"]

    def save_model(
        self, request: HttpRequest, obj: ConnectorOperation, form: forms.ModelForm, change: bool
    ) -> None:
        _record_edits(obj, form)
        super().save_model(request, obj, form, change)
