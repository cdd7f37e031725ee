"""Which request headers of a webhook delivery may be copied into an execution's input.

A run's input is readable by every viewer of the workspace, so anything that looks like the
caller's credential stays out: ``Authorization`` and cookies, and the many provider and
gateway spellings of a key or token (``X-Api-Key``, ``X-Auth-Token``, ``X-Gitlab-Token``,
``X-Amz-Security-Token``...). Signature headers are HMACs of the body, not secrets, and stay.
"""

from __future__ import annotations

from collections.abc import Mapping

_EXACT = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_PARTS = (
    "api-key",
    "apikey",
    "api_key",
    "auth",
    "token",
    "secret",
    "password",
    "passwd",
    "session",
    "credential",
    "private-key",
)


def credential_like(name: str) -> bool:
    lowered = name.lower()
    return lowered in _EXACT or any(part in lowered for part in _PARTS)


def headers_for_input(
    headers: Mapping[str, str], required: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The delivery's headers as the run sees them: lower-case names, credentials dropped,
    and the trigger's ``required`` headers (lower-case names) too: their values are shared
    secrets."""
    return {
        k.lower(): v
        for k, v in headers.items()
        if not credential_like(k) and k.lower() not in required
    }
