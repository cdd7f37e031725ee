"""Read-only block catalogue: the canvas palette and config forms come from here."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.blocks.api.serializers import BlockCatalogOutput, BlockManifestOutput
from apps.blocks.selectors import block_catalog, block_manifest
from apps.core.api.query import query_bool, query_int
from apps.core.exceptions import NotFound


class BlockCatalogView(APIView):
    @extend_schema(
        responses=BlockCatalogOutput,
        parameters=[OpenApiParameter("deprecated", bool, description="Include deprecated blocks")],
    )
    def get(self, request: Request) -> Response:
        include = query_bool(request, "deprecated")
        return Response({"categories": block_catalog(include_deprecated=include)})


class BlockDetailView(APIView):
    @extend_schema(
        responses=BlockManifestOutput,
        parameters=[
            OpenApiParameter(
                "version",
                {"type": "integer", "minimum": 1},
                description="A specific version (latest if absent)",
            )
        ],
    )
    def get(self, request: Request, key: str) -> Response:
        version = query_int(request, "version", minimum=1)
        manifest = block_manifest(key=key, version=version)
        if manifest is None:
            raise NotFound(f"Unknown block {key!r}" + (f" version {version}" if version else ""))
        return Response(manifest)
