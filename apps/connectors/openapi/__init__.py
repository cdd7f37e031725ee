"""OpenAPI import: parse a document into neutral dataclasses (no Django, no network).

``load_document`` reads YAML or JSON, ``parse_document`` returns an ``ApiSpec``; the upsert
into the catalogue lives in ``apps.connectors.services``.
"""

from .errors import OpenAPIError
from .parser import (
    ParseOptions,
    connector_utterances,
    guess_health_check,
    load_document,
    parse_document,
    short_title,
)
from .types import ApiSpec, AuthScheme, OperationSpec

__all__ = [
    "ApiSpec",
    "AuthScheme",
    "OpenAPIError",
    "OperationSpec",
    "ParseOptions",
    "connector_utterances",
    "guess_health_check",
    "load_document",
    "parse_document",
    "short_title",
]
