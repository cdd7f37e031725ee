"""POST /api/v1/blocks/http_request/preview-request/: the request an HTTP node will send.

Served by this app, not the block catalogue's: it evaluates expressions and reads the
workspace's credentials, which sit above blocks in the layers.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.serializers import StrictSerializer
from apps.workflows.request_preview import http_request_preview
from apps.workspaces.api.schema import ErrorOutput
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role


class RequestPreviewInput(StrictSerializer):
    workspace = serializers.UUIDField()
    config = serializers.DictField(help_text="The http_request node's config, as in the draft.")
    data = serializers.DictField(
        required=False,
        allow_null=True,
        default=None,
        help_text='Sample data for expressions (the last run\'s or pinned): {"trigger": ..., '
        '"nodes": {id: {"output": ...}}, "vars": {...}}. Absent: expressions stay as text.',
    )


class PreviewHeaderOutput(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField(help_text="Secrets masked as ••••.")


class RequestPreviewOutput(serializers.Serializer):
    method = serializers.CharField()
    url = serializers.CharField(help_text="With the query string; secrets masked.")
    headers = PreviewHeaderOutput(many=True)
    body = serializers.CharField(allow_null=True, help_text="As sent (the first 16 KiB).")
    body_bytes = serializers.IntegerField()
    body_truncated = serializers.BooleanField()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="What a run would run into: a refused or unresolvable destination, an "
        "expression that fails on the sample, an unusable credential.",
    )
    unresolved = serializers.ListField(
        child=serializers.CharField(), help_text="Config fields whose expressions show as text."
    )


class HttpRequestPreviewView(APIView):
    @extend_schema(
        request=RequestPreviewInput, responses={200: RequestPreviewOutput, 400: ErrorOutput}
    )
    def post(self, request: Request) -> Response:
        """Build the request exactly as the block would, without sending it."""
        data = RequestPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        require_role(request, fields["workspace"], Role.VIEWER)
        preview = http_request_preview(
            workspace_id=fields["workspace"], config=fields["config"], data=fields["data"]
        )
        return Response(RequestPreviewOutput(preview).data)
