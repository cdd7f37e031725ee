"""What the published OpenAPI schema says beyond what drf-spectacular infers by itself.

- The bearer API token (``BearerTokenAuthentication``) as an ``http``/``bearer`` security
  scheme, so clients and fuzzers know that ``Authorization: Bearer <token>`` is one way in.
- The error answers every operation can give, in the API's one error shape
  (``apps.core.api.errors``): without them a client generated from the schema treats a
  400 or a 404 as an undocumented surprise. Which codes an operation gets follows from what
  it takes (a body, parameters), how it is guarded (authentication, throttling) and its
  method; conflicts (409) are declared where they happen, with ``extend_schema``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.workspaces.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=self.target.keyword,
            bearer_format="fp_<prefix>_<secret>",
        )


class ErrorOutput(serializers.Serializer):
    """`{"type", "detail", "fields"}`; some errors add a key (a conflict's `current_version`)."""

    type = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


class ErrorsAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            responses.setdefault(str(code), self._get_response_for_code(response, str(code)))
        return responses

    def _error_responses(self) -> dict[int, Any]:
        has_body = (
            self.method not in SAFE_METHODS
            and self.method != "DELETE"
            and (self.get_request_serializer() is not None)
        )
        has_query = (
            bool(self.get_filter_backends())
            or self._is_list_view()
            or any(p.get("in") == "query" for p in self._get_parameters())
        )
        has_path = "{" in self.path
        authenticated = bool(self.view.get_authenticators())
        errors: dict[int, Any] = {}
        if has_body or has_query:
            errors[400] = _error("Invalid input; `fields` names each offending field.")
        if authenticated:
            errors[401] = _error("Missing, invalid or revoked credentials.")
        if authenticated and self.method not in SAFE_METHODS:
            errors[403] = _error("The caller's role does not allow this.")
        if has_path or has_query or has_body:
            errors[404] = _error(
                "An object named in the path, query or body is not visible "
                "to the caller, or the page does not exist."
            )
        if has_body:
            errors[413] = _error("The request body is too large.")
            errors[415] = _error("The body's content type is not accepted.")
        if self.view.get_throttles():
            errors[429] = _error("Over the rate limit; retry after `Retry-After` seconds.")
        return errors
