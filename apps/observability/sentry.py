"""Sentry, when SENTRY_DSN is set: Django and Celery errors, with secrets scrubbed.

Plain Python, imported by the settings: nothing here may import a Django model. What leaves
the process is cut down on three levels:
- not collected: request bodies (a credential's fields can have any name), frame local
  variables (the resolver holds plaintext under ordinary names; SENTRY_INCLUDE_LOCALS turns
  them on), cookies and the client's address (`send_default_pii=False`);
- by key: the SDK's scrubber, over every nested level, with the platform's names added
  (signatures, webhook secrets, credential-like header spellings);
- by value (`before_send`): bearer/basic credentials, URL passwords and secret query
  parameters, and Flowplane API tokens, wherever they appear in a string.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

FILTERED = "[Filtered]"
_DENYLIST = [
    *DEFAULT_DENYLIST,
    *DEFAULT_PII_DENYLIST,
    "signature",
    "x_hub_signature",
    "x_hub_signature_256",
    "stripe_signature",
    "x_slack_signature",
    "webhook_secret",
    "secret_key",
    "access_token",
    "refresh_token",
    "client_secret",
    "id_token",
    "bearer",
    "credential",
    "credential_keys",
    "x_auth_token",
    "x_gitlab_token",
    "dsn",
    "encrypted",
    "ciphertext",
    "plaintext",
]
# Key fragments: a key containing any of them is a secret whatever its spelling.
# Not "credential": credential ids and names are what a report needs.
_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "auth",
    "signature",
    "cookie",
    "session",
    "private",
    "dsn",
)
_VALUE_PATTERNS = [
    (re.compile(r"(?i)\b(bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\1 {FILTERED}"),
    # key=value / key: value in free text ("client_secret=...", "password: ...").
    (
        re.compile(
            r"(?i)\b(\w*(?:secret|password|passwd|token|api_?key|signature)\w*)"
            r"(\s*[=:]\s*[\"']?)[^\s\"',;&]+"
        ),
        rf"\1\2{FILTERED}",
    ),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@"), rf"\1{FILTERED}@"),
    # A URL's query, or a bare query string (the request's `query_string`).
    (
        re.compile(
            r"(?i)((?:^|[?&;])[^=&\s?]*(?:token|key|secret|signature|sig|password|auth|code)"
            r"[^=&\s]*=)[^&\s#]+"
        ),
        rf"\1{FILTERED}",
    ),
    (re.compile(r"\bfp_[0-9a-f]{10}_[A-Za-z0-9_-]{20,}"), FILTERED),  # API tokens
    (re.compile(r"(?i)\b(sha1|sha256|sha512|v0|v1|t)=[0-9a-f]{32,}"), rf"\1={FILTERED}"),
]


def secret_key(key: str) -> bool:
    lowered = key.lower().replace("-", "_")
    return any(part.replace("-", "_") in lowered for part in _KEY_PARTS)


def scrub_text(text: str) -> str:
    for pattern, replacement in _VALUE_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            k: (
                FILTERED
                if isinstance(k, str) and secret_key(k) and v not in (None, "")
                else _scrub(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


# Sentry's own bookkeeping: installed package names ("tokenizers") are not secrets.
_AS_IS = frozenset({"type", "level", "platform", "event_id", "timestamp", "sdk", "modules"})


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """The last look at an event before it leaves: secret keys and secret-looking values."""
    return {key: value if key in _AS_IS else _scrub(value) for key, value in event.items()}


def sentry_init(
    *, dsn: str, environment: str, release: str, traces_sample_rate: float, include_locals: bool
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=include_locals,
        event_scrubber=EventScrubber(denylist=_DENYLIST, recursive=True),
        before_send=before_send,
        before_send_transaction=before_send,
        traces_sample_rate=traces_sample_rate,
    )
