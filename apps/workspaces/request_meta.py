"""Who is calling, for the audit log: address, user agent and request id of the current
request, bound by `RequestMetaMiddleware` so services record them without taking a request."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from apps.workspaces.client_ip import client_ip

MAX_USER_AGENT = 256


@dataclass(frozen=True)
class RequestMeta:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""


_current: ContextVar[RequestMeta | None] = ContextVar("flowplane_request_meta", default=None)


def current_request_meta() -> RequestMeta:
    """The current request's meta; empty outside a request (workers, beat, commands)."""
    return _current.get() or RequestMeta()


class RequestMetaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestMeta(
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:MAX_USER_AGENT],
                request_id=getattr(request, "request_id", ""),
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
