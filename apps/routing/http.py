"""The routing app's outbound calls (embeddings and chat APIs) go through the platform client.

Nothing here opens a socket itself: ``outbound_client()`` builds the guarded
``OutboundClient`` (SSRF policy from ``OUTBOUND_ALLOWLIST``, shared state in Django's cache),
so a self-hosted model server on a private address has to be allow-listed like any target.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ApiError", "outbound_client", "post_json"]


class ApiError(Exception):
    """An OpenAI-compatible API answered with an error or something unreadable."""


def outbound_client() -> Any:
    """The guarded client with a read timeout long enough for a model API."""
    from apps.connectors.clients import outbound_client

    return outbound_client(timeout=(5.0, 60.0), total_timeout=120.0)


def post_json(
    client: Any, url: str, body: dict[str, Any], *, api_key: str = "", timeout: float = 60.0
) -> Any:
    """POST ``body`` and return the decoded JSON answer; ApiError on any failure."""
    from apps.connectors.outbound.auth import BearerToken
    from apps.connectors.outbound.errors import OutboundError

    try:
        response = client.request(
            "POST",
            url,
            json=body,
            timeout=(5.0, timeout),
            auth_injector=BearerToken(api_key) if api_key else None,
        )
    except OutboundError as exc:
        raise ApiError(f"{type(exc).__name__}: {exc}") from None
    if response.status >= 400:
        raise ApiError(f"HTTP {response.status}: {response.text[:300]}")
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        raise ApiError("the answer is not JSON") from None
