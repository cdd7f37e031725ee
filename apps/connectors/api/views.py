"""Read-only catalogue endpoints: list (search, category filter), detail with operations,
categories. Views scope through selectors; nothing here writes."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.connectors import selectors
from apps.connectors.api.serializers import (
    CategoryOutput,
    ConnectorDetailOutput,
    ConnectorListOutput,
)
from apps.connectors.models import Connector
from apps.core.api.filtering import ScopedFilterSet


class ConnectorFilter(ScopedFilterSet):
    category = django_filters.MultipleChoiceFilter(choices=Connector.Category.choices)

    class Meta:
        model = Connector
        fields = ["category"]


class ConnectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = ConnectorFilter
    search_fields = ["name", "slug", "description"]
    ordering_fields = ["name", "category", "order"]

    def get_queryset(self) -> QuerySet[Connector]:
        return selectors.connector_list(user=self.request.user)

    def get_serializer_class(self) -> type:
        return ConnectorDetailOutput if self.action == "retrieve" else ConnectorListOutput

    def get_object(self) -> Connector:
        try:
            return selectors.connector_get(user=self.request.user, slug=self.kwargs["slug"])
        except Connector.DoesNotExist:
            raise Http404 from None

    @extend_schema(responses=CategoryOutput(many=True), filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def categories(self, request: Request) -> Response:
        counts = selectors.connector_category_counts(user=request.user)
        return Response(CategoryOutput(counts, many=True).data)
