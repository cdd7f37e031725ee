"""Content-Security-Policy for the HTML pages Django serves: the canvas (/app/) and sign-in.

The canvas is a Vite build served from /static/app/ (module scripts, one stylesheet), and
talks only to its own origin, so scripts come from 'self' only: a stored XSS string that
reached the DOM could not load or run anything. Inline <style> is allowed by a per-response
nonce (the sign-in page has one); images may be any https URL because connector icons are
operator-curated URLs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data: https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def with_csp(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send the policy with the view's answer; templates read ``request.csp_nonce``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce
        response = view(request, *args, **kwargs)
        if HEADER not in response:
            response[HEADER] = policy(nonce)
        return response

    return wrapped
