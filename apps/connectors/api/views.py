"""Read-only catalogue endpoints: list (search, category filter, sort by popularity or name,
connected flag for a workspace), detail, its operations (paged, searchable), one operation by
key, categories.
Views scope through selectors; nothing here writes."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from apps.connectors import selectors
from apps.connectors.api.serializers import (
    CategoryOutput,
    ConnectorDetailOutput,
    ConnectorListOutput,
    OperationOutput,
)
from apps.connectors.models import Connector, ConnectorOperation
from apps.core.api.filtering import ScopedFilterBackend, ScopedFilterSet
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role

WORKSPACE = OpenApiParameter(
    "workspace",
    OpenApiTypes.UUID,
    required=False,
    description="A workspace of the caller: `connected` then says whether it holds a "
    "credential for the connector (403/404 when not a member).",
)


class ConnectorFilter(ScopedFilterSet):
    category = django_filters.MultipleChoiceFilter(choices=Connector.Category.choices)

    class Meta:
        model = Connector
        fields = ["category"]


class WorkspaceQuery(serializers.Serializer):
    workspace = serializers.UUIDField(required=False)


SEARCH = OpenApiParameter(
    "search",
    OpenApiTypes.STR,
    required=False,
    description="Part of a connector's name, slug or description (name matches first).",
)


@extend_schema_view(
    list=extend_schema(parameters=[WORKSPACE, SEARCH]),
    retrieve=extend_schema(parameters=[WORKSPACE]),
)
class ConnectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = ConnectorFilter
    # Search is the selector's (name, slug, description; name matches first), not SearchFilter.
    filter_backends = [ScopedFilterBackend, OrderingFilter]
    # `?ordering=-popularity,name`: most used first (the browser's default), then by name.
    ordering_fields = ["name", "category", "order", "popularity"]

    def _workspace_id(self) -> Any:
        """The `?workspace=` the caller belongs to, or None when not given."""
        query = WorkspaceQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        workspace_id = query.validated_data.get("workspace")
        if workspace_id is not None:
            require_role(self.request, workspace_id, Role.VIEWER)
        return workspace_id

    def get_queryset(self) -> QuerySet[Connector]:
        search = self.request.query_params.get(SearchFilter.search_param, "").strip()
        return selectors.connector_list(
            user=self.request.user, search=search or None, workspace_id=self._workspace_id()
        )

    def filter_queryset(self, queryset: QuerySet[Connector]) -> QuerySet[Connector]:
        queryset = super().filter_queryset(queryset)
        if "search_rank" in queryset.query.annotations:
            queryset = queryset.order_by("search_rank", *queryset.query.order_by, "name")
        return queryset

    def get_serializer_class(self) -> type:
        return ConnectorDetailOutput if self.action == "retrieve" else ConnectorListOutput

    def get_object(self) -> Connector:
        try:
            return selectors.connector_get(
                user=self.request.user, slug=self.kwargs["slug"], workspace_id=self._workspace_id()
            )
        except Connector.DoesNotExist:
            raise Http404 from None

    @extend_schema(
        responses=OperationOutput(many=True),
        parameters=[
            OpenApiParameter(
                "search",
                OpenApiTypes.STR,
                required=False,
                description="Part of an operation's key, name, path or description.",
            )
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=OperationOutput)
    def operations(self, request: Request, slug: str) -> Response:
        """The connector's operations by key, a page at a time, optionally searched."""
        search = request.query_params.get(SearchFilter.search_param, "").strip()
        try:
            operations = selectors.connector_operation_list(
                user=request.user, slug=slug, search=search or None
            )
        except Connector.DoesNotExist:
            raise Http404 from None
        page = self.paginate_queryset(operations)
        return self.get_paginated_response(OperationOutput(page, many=True).data)

    @extend_schema(
        responses=OperationOutput,
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The operation's key."
            )
        ],
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"operations/(?P<key>.+)",
        filter_backends=[],
        pagination_class=None,
        serializer_class=OperationOutput,
    )
    def operation(self, request: Request, slug: str, key: str) -> Response:
        """One operation with its parameter and body schemas (what a node's form is built
        from); 404 when the connector or the operation is unknown or disabled."""
        try:
            found = selectors.connector_operation_get(user=request.user, slug=slug, key=key)
        except ConnectorOperation.DoesNotExist:
            raise Http404 from None
        return Response(OperationOutput(found).data)

    @extend_schema(responses=CategoryOutput(many=True), filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def categories(self, request: Request) -> Response:
        counts = selectors.connector_category_counts(user=request.user)
        return Response(CategoryOutput(counts, many=True).data)
