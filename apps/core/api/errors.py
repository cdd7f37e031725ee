"""One error shape for the whole API: {"type", "detail", "fields"}. Views never build errors."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import ApplicationError


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"graph.nodes[2].data.config.url": [messages]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            key = str(key)
            sub = key if not path else (f"{path}[{key}]" if key.isdigit() else f"{path}.{key}")
            for field, messages in flatten_errors(value, sub).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {path or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, value in enumerate(detail):
            if not value:
                continue
            for field, messages in flatten_errors(value, f"{path}[{index}]").items():
                flat.setdefault(field, []).extend(messages)
        return flat
    return {path or "non_field_errors": [str(detail)]}


def _body(
    type_: str, detail: str, fields: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "detail": detail}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            _body(exc.type, exc.detail, exc.fields, **exc.extra), status=exc.status_code
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            _body("payload_too_large", "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        summary = "; ".join(f"{k}: {v[0]}" for k, v in list(fields.items())[:3])
        response.data = _body("validation_error", f"Invalid input. {summary}".strip(), fields)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = _body(exc.default_code, detail)
    return response
