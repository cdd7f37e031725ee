"""What each credential kind stores: plain settings (``public_data``) and sealed secrets.

One table instead of an ``if/elif`` per kind: the services validate input against it, the API
lists the secret field names (never their values), and the resolver builds the injector.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from apps.connectors.outbound import (
    ApiKeyHeader,
    ApiKeyQuery,
    AuthInjector,
    AwsSigV4,
    BasicAuth,
    BearerToken,
)


@dataclass(frozen=True)
class KindSpec:
    # name -> (type, required); types: "str", "int", "bool", "url", "list", "dict", "enum:a|b"
    # or a PATTERNS key
    public: Mapping[str, tuple[str, bool]]
    # Secret fields the user may write (tokens obtained from a provider are added by services).
    secret: Mapping[str, bool]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    oauth: bool = False


KINDS: dict[str, KindSpec] = {
    "api_key": KindSpec(
        public={
            "location": ("enum:header|query", False),
            "name": ("str", False),
            "prefix": ("str", False),
        },
        secret={"api_key": True},
        defaults={"location": "header", "name": "X-API-Key", "prefix": ""},
    ),
    "bearer": KindSpec(public={}, secret={"token": True}),
    "basic": KindSpec(public={"username": ("str", True)}, secret={"password": True}),
    "oauth2_code": KindSpec(
        public={
            "client_id": ("str", True),
            "authorization_url": ("url", False),
            "token_url": ("url", False),
            "scopes": ("list", False),
            "token_auth": ("enum:client_secret_basic|client_secret_post|none", False),
            "authorize_params": ("dict", False),
            "expired_signal": ("dict", False),
        },
        secret={"client_secret": False},
        defaults={"scopes": [], "token_auth": "client_secret_basic", "authorize_params": {}},
        oauth=True,
    ),
    "oauth2_client": KindSpec(
        public={
            "client_id": ("str", True),
            "token_url": ("url", False),
            "scopes": ("list", False),
            "token_auth": ("enum:client_secret_basic|client_secret_post", False),
            "audience": ("str", False),
            "expired_signal": ("dict", False),
        },
        secret={"client_secret": True},
        defaults={"scopes": [], "token_auth": "client_secret_basic"},
        oauth=True,
    ),
    "aws_sigv4": KindSpec(
        # Service and region: these settings, else the connector's aws_sigv4 auth scheme,
        # else the AWS endpoint the request goes to (apps/connectors/outbound/sigv4.py).
        public={
            "access_key_id": ("aws_key_id", True),
            "region": ("aws_region", False),
            "service": ("aws_service", False),
        },
        secret={"secret_access_key": True, "session_token": False},
    ),
    "smtp": KindSpec(
        # Key names are what the send_email block reads: ``ssl`` = implicit TLS (465),
        # ``starttls`` (587); without ``port`` the block picks it from the security mode.
        public={
            "host": ("str", True),
            "port": ("int", False),
            "username": ("str", False),
            "starttls": ("bool", False),
            "ssl": ("bool", False),
            "from": ("str", False),
        },
        secret={"password": False},
        defaults={"starttls": True, "ssl": False, "username": ""},
    ),
}

# Secret keys written by the platform itself (OAuth tokens), never by the user.
TOKEN_FIELDS = ("access_token", "refresh_token")


# Formats checked by pattern: (regex, what the message asks for).
PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "aws_key_id": (
        re.compile(r"^[A-Z0-9]{16,128}$"),
        "An AWS access key id (16 to 128 upper-case letters and digits).",
    ),
    "aws_region": (re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"), "An AWS region such as eu-west-1."),
    "aws_service": (
        re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$"),
        "An AWS signing name such as sns or execute-api.",
    ),
}


def _check(kind: str, name: str, type_: str, value: Any) -> str | None:
    if type_ in PATTERNS:
        pattern, message = PATTERNS[type_]
        return None if isinstance(value, str) and pattern.match(value) else message
    if type_ == "str":
        return None if isinstance(value, str) and len(value) <= 500 else "A string is required."
    if type_ == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
        return None if ok else "An integer from 1 to 65535 is required."
    if type_ == "bool":
        return None if isinstance(value, bool) else "true or false is required."
    if type_ == "url":
        parts = urlsplit(value) if isinstance(value, str) else None
        ok = parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)
        return None if ok else "An http(s) URL is required."
    if type_ == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "A list of strings is required."
    if type_ == "dict":
        return None if isinstance(value, dict) else "An object is required."
    choices = type_.removeprefix("enum:").split("|")
    return None if value in choices else f"One of {', '.join(choices)}."


def validate_public(kind: str, data: Mapping[str, Any], *, partial: bool) -> dict[str, list[str]]:
    """Field errors for the plain settings of ``kind`` (unknown keys are errors too)."""
    spec = KINDS[kind]
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in spec.public:
            errors[f"config.{key}"] = ["Unknown field."]
            continue
        problem = _check(kind, key, spec.public[key][0], value)
        if problem:
            errors[f"config.{key}"] = [problem]
    if not partial:
        for key, (_, required) in spec.public.items():
            if required and key not in data:
                errors[f"config.{key}"] = ["This field is required."]
    return errors


def validate_secret(kind: str, data: Mapping[str, Any], *, partial: bool) -> dict[str, list[str]]:
    spec = KINDS[kind]
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in spec.secret:
            errors[f"secret.{key}"] = ["Unknown field."]
        elif not isinstance(value, str) or not value or len(value) > 8192:
            errors[f"secret.{key}"] = ["A non-empty string (at most 8192 characters)."]
    if not partial:
        for key, required in spec.secret.items():
            if required and key not in data:
                errors[f"secret.{key}"] = ["This field is required."]
    return errors


def _api_key(public: Mapping[str, Any], secret: Mapping[str, str]) -> AuthInjector:
    if public.get("location") == "query":
        return ApiKeyQuery(secret["api_key"], param=public.get("name") or "api_key")
    return ApiKeyHeader(
        secret["api_key"],
        header=public.get("name") or "X-API-Key",
        prefix=public.get("prefix") or "",
    )


INJECTORS: dict[str, Callable[[Mapping[str, Any], Mapping[str, str]], AuthInjector]] = {
    "api_key": _api_key,
    "bearer": lambda public, secret: BearerToken(secret["token"]),
    "basic": lambda public, secret: BasicAuth(public["username"], secret["password"]),
    "oauth2_code": lambda public, secret: BearerToken(secret["access_token"]),
    "oauth2_client": lambda public, secret: BearerToken(secret["access_token"]),
    "aws_sigv4": lambda public, secret: AwsSigV4(
        public["access_key_id"],
        secret["secret_access_key"],
        secret.get("session_token", ""),
        service=public.get("service", ""),
        region=public.get("region", ""),
    ),
}


def aws_scope_from_connector(auth_schemes: Any) -> dict[str, str]:
    """``service`` and ``region`` an operator set on the connector's aws_sigv4 auth scheme
    (for endpoints whose host does not name them, such as a self-hosted gateway)."""
    for scheme in auth_schemes if isinstance(auth_schemes, list) else []:
        if isinstance(scheme, dict) and scheme.get("kind") == "aws_sigv4":
            return {k: str(scheme[k]) for k in ("service", "region") if scheme.get(k)}
    return {}


def oauth_defaults_from_connector(kind: str, auth_schemes: Any) -> dict[str, Any]:
    """Authorization/token URLs and scopes from the connector's OpenAPI oauth2 scheme."""
    flow_name = "authorization_code" if kind == "oauth2_code" else "client_credentials"
    for scheme in auth_schemes if isinstance(auth_schemes, list) else []:
        if not isinstance(scheme, dict) or scheme.get("kind") != "oauth2":
            continue
        flow = (scheme.get("flows") or {}).get(flow_name)
        if not isinstance(flow, dict):
            continue
        found: dict[str, Any] = {}
        if kind == "oauth2_code" and flow.get("authorization_url"):
            found["authorization_url"] = flow["authorization_url"]
        if flow.get("token_url"):
            found["token_url"] = flow["token_url"]
        if kind == "oauth2_code" and isinstance(scheme.get("authorize_params"), dict):
            found["authorize_params"] = scheme["authorize_params"]
        if isinstance(scheme.get("token_expired_signal"), dict):
            found["expired_signal"] = scheme["token_expired_signal"]
        return found
    return {}
