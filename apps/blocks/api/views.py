"""Read-only block catalogue: the canvas palette and config forms come from here."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.blocks.selectors import block_catalog, block_manifest
from apps.core.exceptions import NotFound


class BlockCatalogView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[
        OpenApiParameter("deprecated", bool, description="Include deprecated blocks")])
    def get(self, request: Request) -> Response:
        include = request.query_params.get("deprecated") in ("1", "true")
        return Response({"categories": block_catalog(include_deprecated=include)})


class BlockDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[
        OpenApiParameter("version", int, description="A specific version (latest if absent)")])
    def get(self, request: Request, key: str) -> Response:
        version = request.query_params.get("version")
        manifest = block_manifest(key=key, version=int(version) if version and version.isdigit()
                                  else None)
        if manifest is None:
            raise NotFound(f"Unknown block {key!r}" + (f" version {version}" if version else ""))
        return Response(manifest)
