"""Routing endpoints: validate, call a service or selector, serialize. Nothing else.

Routing is open to every signed-in user; changing what the router knows (route maps, fits)
is for operators (staff), like the connector catalogue it extends.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.query import query_bool
from apps.core.exceptions import NotFound
from apps.routing import selectors, services
from apps.routing.api.serializers import (
    FitInput,
    RouteInput,
    RouteMapImportOutput,
    RouteMapOutput,
    RouteOutput,
)
from apps.routing.encoders.base import EncoderError
from apps.routing.evaluation import Example, fit
from apps.routing.exceptions import RouterUnavailable
from apps.routing.scenarios import SCENARIOS
from apps.routing.workspace import workspace_prior
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role


class IsOperatorForWrites(BasePermission):
    """Reads for any signed-in user; writes for staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return bool(request.user and request.user.is_staff)


class RouteView(APIView):
    @extend_schema(request=RouteInput, responses=RouteOutput)
    def post(self, request: Request) -> Response:
        data = RouteInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        workspace = fields.pop("workspace")
        if workspace is not None:
            require_role(request, workspace, Role.VIEWER)
        try:
            decision = services.route_query(**fields, prior=workspace_prior(workspace))
        except EncoderError as exc:
            raise RouterUnavailable(f"the encoder is unavailable: {exc}") from None
        return Response(decision.as_dict())


class RouteMapViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RouteMapOutput
    permission_classes = [IsAuthenticated, IsOperatorForWrites]
    lookup_field = "connector"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
    search_fields = ["connector"]
    ordering_fields = ["connector", "updated_at"]

    def get_queryset(self) -> Any:
        return selectors.route_map_list()

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, connector: str) -> Response:
        """The route map in the design's format (what import accepts)."""
        route_map = selectors.route_map_get(connector=connector)
        if route_map is None:
            raise NotFound(f"no route map for connector {connector!r}")
        return Response(route_map.data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: RouteMapImportOutput})
    def create(self, request: Request) -> Response:
        """Import one route map or a list of them; existing maps of those connectors are
        replaced."""
        maps = services.route_map_import(data=request.data, source="api", user=request.user)
        return Response(
            {"imported": RouteMapOutput(maps, many=True).data}, status=status.HTTP_201_CREATED
        )

    def destroy(self, request: Request, connector: str) -> Response:
        if not services.route_map_delete(connector=connector):
            raise NotFound(f"no route map for connector {connector!r}")
        return Response(status=status.HTTP_204_NO_CONTENT)


class EvaluationView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "per_route", bool, description="include per-route precision and recall"
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        """The latest evaluation (evaluate_router) and fit, with the router's current size."""
        per_route = query_bool(request, "per_route")
        evaluation = selectors.router_evaluation_latest()
        summary = None
        if evaluation is not None:
            summary = dict(evaluation.summary)
            if not per_route:
                summary.pop("per_route", None)
            summary.update(dataset=evaluation.dataset, created_at=evaluation.created_at)
        params = selectors.router_params()
        return Response(
            {
                "evaluation": summary,
                "params": {
                    "source": params.source,
                    "threshold": params.threshold,
                    "workspace_threshold": params.workspace_threshold,
                    "route_thresholds": len(params.route_thresholds),
                    "weights": params.weights,
                },
            }
        )


class FitView(APIView):
    permission_classes = [IsAuthenticated, IsOperatorForWrites]

    @extend_schema(request=FitInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        """Fit thresholds (and optionally weights) from labelled examples and store them."""
        data = FitInput(data=request.data)
        data.is_valid(raise_exception=True)
        examples = [
            Example(
                query=e["query"], connector=e.get("connector"), tool=e.get("tool") or e.get("route")
            )
            for e in data.validated_data["examples"]
        ]
        router = services.router_get()
        params, summary = fit(
            router,
            examples,
            target_precision=data.validated_data["target_precision"],
            fit_weights=data.validated_data["fit_weights"],
            scenarios=SCENARIOS,
        )
        services.router_fit_record(params=params, summary=summary, dataset="api", user=request.user)
        return Response(
            {
                "summary": summary,
                "threshold": params.threshold,
                "workspace_threshold": params.workspace_threshold,
                "route_thresholds": params.route_thresholds,
            },
            status=status.HTTP_201_CREATED,
        )
