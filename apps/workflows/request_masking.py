"""Masking for the request preview: what a request shows of its secrets (nothing).

A credential's placeholder values (and the forms its injector sends, such as
``base64(user:••••)``) become ``••••``; a header or query parameter whose name looks secret
is masked whatever its value, keeping an auth scheme word (``Bearer ••••``) so the reader
still sees how it authenticates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote, quote_plus, unquote_plus

MASK = "••••"
SECRET_NAME = re.compile(
    r"auth|token|secret|passw|pwd|api[-_]?key|access[-_]?key|cookie|session|signature"
    r"|credential|private[-_]?key|^sig$|^key$",
    re.IGNORECASE,
)
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,19}) +\S")


def looks_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def _replace_secrets(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:  # longest first: an encoded pair before the value inside it
        for form in (secret, quote(secret, safe=""), quote_plus(secret, safe="")):
            text = text.replace(form, MASK)
    return text


def masked_value(value: str) -> str:
    if MASK in value:
        return value
    scheme = SCHEME.match(value)
    return f"{scheme.group(1)} {MASK}" if scheme else MASK


def masked_headers(
    headers: Iterable[tuple[str, str]], secrets: Sequence[str]
) -> list[tuple[str, str]]:
    shown = []
    for name, value in headers:
        value = _replace_secrets(str(value), secrets)
        shown.append((name, masked_value(value) if looks_secret(name) else value))
    return shown


def masked_url(url: str, secrets: Sequence[str]) -> str:
    """``url`` with the credential's values and secret-looking query parameters masked."""
    url = _replace_secrets(url, secrets)
    base, mark, query = url.partition("?")
    if not mark:
        return url
    query, hash_mark, fragment = query.partition("#")
    pairs = []
    for pair in query.split("&"):
        name, equals, _ = pair.partition("=")
        pairs.append(f"{name}={MASK}" if equals and looks_secret(unquote_plus(name)) else pair)
    return f"{base}?{'&'.join(pairs)}{hash_mark}{fragment}"
