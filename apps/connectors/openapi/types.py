"""Neutral descriptions of an imported API: what the parser produces and the upsert consumes.

Plain dataclasses, no Django: the catalogue generator runs the same parser outside Django and
stores ``ApiSpec.to_dict()``; ``load_catalog`` rebuilds them with ``ApiSpec.from_dict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# What an operation is, wherever it is stored or shown: the catalogue file, the catalogue
# row's imported fields (apps.connectors.models) and the API (apps.connectors.api).
OPERATION_FIELDS = (
    "key",
    "name",
    "method",
    "path",
    "description",
    "parameters_schema",
    "body_schema",
    "body_content_type",
    "response_schema",
    "utterances",
    "tags",
    "deprecated",
)


@dataclass
class AuthScheme:
    """One way to authenticate, from an OpenAPI security scheme. Never holds a secret."""

    key: str  # the scheme's name in the document (components.securitySchemes)
    # api_key | http_bearer | http_basic | oauth2 | openid_connect | aws_sigv4 | http_other
    kind: str
    description: str = ""
    location: str = ""  # api_key: header | query | cookie
    name: str = ""  # api_key: the header or query parameter name
    scheme: str = ""  # http: the scheme (bearer, basic, digest ...)
    bearer_format: str = ""
    # oauth2: {"authorization_code": {"authorization_url", "token_url", "refresh_url", "scopes"}}
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    openid_connect_url: str = ""
    pkce: bool = False  # oauth2: the provider supports (or requires) PKCE
    authorize_params: dict[str, str] = field(default_factory=dict)  # e.g. access_type=offline

    def to_dict(self) -> dict[str, Any]:
        """The compact form stored on Connector.auth_schemes: empty fields are left out."""
        return {k: v for k, v in asdict(self).items() if v not in ("", {}, [], None, False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuthScheme:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class OperationSpec:
    """One callable operation. ``summary``/``raw_description`` keep the document's text as is;
    ``name``/``description`` are the cleaned forms stored on the row."""

    key: str
    name: str
    method: str
    path: str
    description: str = ""
    parameters_schema: dict[str, Any] = field(default_factory=dict)
    body_schema: dict[str, Any] | None = None
    body_content_type: str = ""
    # The JSON body of its first 2xx response, when the document declares one (capped).
    response_schema: dict[str, Any] | None = None
    utterances: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    deprecated: bool = False
    summary: str = ""
    raw_description: str = ""

    # The fields the catalogue file stores (the raw text goes to the evaluation export only).
    STORED = OPERATION_FIELDS

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.STORED}
        return {k: v for k, v in data.items() if v not in ("", [], None, False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OperationSpec:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ApiSpec:
    """An API as imported: connector-level facts plus its operations."""

    title: str
    version: str = ""
    description: str = ""
    base_url: str = ""
    docs_url: str = ""
    icon: str = ""
    auth_schemes: list[AuthScheme] = field(default_factory=list)
    operations: list[OperationSpec] = field(default_factory=list)
    utterances: list[str] = field(default_factory=list)
    health_check_operation: str = ""
    categories: list[str] = field(default_factory=list)  # hints, e.g. x-apisguru-categories
    source_format: str = ""  # "openapi 3.0.1", "swagger 2.0 (converted)"
    warnings: list[str] = field(default_factory=list)

    def operation(self, key: str) -> OperationSpec | None:
        return next((op for op in self.operations if op.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "version": self.version,
            "description": self.description,
            "base_url": self.base_url,
            "docs_url": self.docs_url,
            "icon": self.icon,
            "auth_schemes": [scheme.to_dict() for scheme in self.auth_schemes],
            "utterances": self.utterances,
            "health_check_operation": self.health_check_operation,
            "operations": [op.to_dict() for op in self.operations],
        }
        return {k: v for k, v in data.items() if v not in ("", None)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApiSpec:
        return cls(
            title=data["title"],
            version=data.get("version", ""),
            description=data.get("description", ""),
            base_url=data.get("base_url", ""),
            docs_url=data.get("docs_url", ""),
            icon=data.get("icon", ""),
            auth_schemes=[AuthScheme.from_dict(s) for s in data.get("auth_schemes", [])],
            operations=[OperationSpec.from_dict(o) for o in data.get("operations", [])],
            utterances=list(data.get("utterances", [])),
            health_check_operation=data.get("health_check_operation", ""),
        )
