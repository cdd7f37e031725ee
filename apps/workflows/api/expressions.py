"""POST /api/v1/expressions/preview/: the editor's live preview of a config field."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.serializers import StrictSerializer
from apps.workflows.expression_preview import expression_preview
from apps.workspaces.api.schema import ErrorOutput
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role

MAX_TEXT_LENGTH = 10_000


class ExpressionPreviewInput(StrictSerializer):
    workspace = serializers.UUIDField()
    expression = serializers.CharField(
        required=False,
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=False,
        help_text="One JMESPath expression, without {{ }}.",
    )
    template = serializers.CharField(
        required=False,
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=False,
        help_text='A config value with {{ expressions }}, e.g. "Hi {{ trigger.name }}".',
    )
    data = serializers.DictField(
        required=False,
        default=dict,
        help_text='The run context: {"trigger": ..., "nodes": {id: {"output": ...}}, '
        '"vars": {...}, "item": ..., "index": ...}',
    )

    def validate(self, attrs: dict) -> dict:
        given = [name for name in ("expression", "template") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"expression": ["Give exactly one of expression or template."]}
            )
        return attrs


class ExpressionPreviewOutput(serializers.Serializer):
    value = serializers.JSONField(
        allow_null=True, help_text="What a run computes from the same data."
    )


class ExpressionPreviewView(APIView):
    @extend_schema(
        request=ExpressionPreviewInput,
        responses={200: ExpressionPreviewOutput, 400: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        data = ExpressionPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        require_role(request, fields["workspace"], Role.VIEWER)
        field = "expression" if "expression" in fields else "template"
        value = expression_preview(
            field=field, text=fields[field], bare=field == "expression", data=fields["data"]
        )
        return Response({"value": value})
