"""The Status page's endpoints: read-only, for members (viewers up) of the `?workspace=` given.
They validate the range, call the status selectors and serialize; nothing here writes."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.connectors import status
from apps.connectors.api.status_serializers import SeriesOutput, StatusOutput, StatusQuery
from apps.connectors.models import Connector
from apps.workspaces.api.schema import ErrorOutput
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role

RANGE = [
    OpenApiParameter("workspace", OpenApiTypes.UUID, required=True),
    OpenApiParameter("from", OpenApiTypes.DATETIME, description="Default: 24 hours before `to`."),
    OpenApiParameter("to", OpenApiTypes.DATETIME, description="Default: now."),
]
ERRORS = {400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


def _range(request: Request) -> dict[str, Any]:
    query = StatusQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    require_role(request, query.validated_data["workspace"], Role.VIEWER)
    return dict(query.validated_data)


class ConnectorStatusView(APIView):
    @extend_schema(
        operation_id="connectors_status",
        parameters=RANGE,
        responses={200: StatusOutput, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The workspace's connected connectors (a credential, or calls in the range) and the
        remote MCP servers it called in the range, with their calls, failures, 429s, error
        rate and latency in the range."""
        query = _range(request)
        window = {"workspace_id": query["workspace"], "start": query["from"], "end": query["to"]}
        data = {
            "from": query["from"],
            "to": query["to"],
            "connectors": status.connector_status_list(**window),
            "mcp_servers": status.mcp_server_status_list(**window),
        }
        return Response(StatusOutput(data).data)


class ConnectorSeriesView(APIView):
    @extend_schema(
        operation_id="connectors_status_series",
        parameters=RANGE,
        responses={200: SeriesOutput, **ERRORS},
    )
    def get(self, request: Request, slug: str) -> Response:
        """One connector's calls per minute, hour or day over the range, for a chart, and its
        latest minutes with failures."""
        query = _range(request)
        if not Connector.objects.filter(slug=slug).exists():
            raise Http404
        step, points, recent = status.connector_status_series(
            workspace_id=query["workspace"], connector=slug, start=query["from"], end=query["to"]
        )
        data = {
            "from": query["from"],
            "to": query["to"],
            "connector": slug,
            "step": step,
            "points": points,
            "recent_failures": recent,
        }
        return Response(SeriesOutput(data).data)
