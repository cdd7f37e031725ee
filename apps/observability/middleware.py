"""Request middleware: the request id, the request's trace span, and the request metrics."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

from apps.observability import metrics, tracing
from apps.observability.context import log_ids

# A caller's id is kept only if it is short and plain: it goes into every log line.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
REQUEST_ID_HEADER = "X-Request-ID"


def request_id_of(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Accept the caller's `X-Request-ID` (or make one), bind it to every log line of the
    request and return it on every response. First in the chain, so even refusals carry it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        request.request_id = request_id
        with log_ids(request_id=request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestMetricsMiddleware:
    """Time every request by its route's view name: a bounded set, unlike paths (an unknown
    path counts as "unmatched")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        metrics.http_request_served(
            method=request.method or "",
            view=(match.view_name if match else "unmatched"),
            status=response.status_code,
            seconds=time.perf_counter() - start,
        )
        return response


class TracingMiddleware:
    """One server span per request, child of the caller's W3C `traceparent` when it sends one;
    the executions a request accepts carry it to the worker. Named by the route's pattern
    (`POST hooks/<str:token>`): the path itself can be a secret (a webhook's URL is its token),
    and the query string is never recorded. Not installed at all when tracing is off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not tracing.enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        method = request.method or ""
        with tracing.span(
            method,
            kind=tracing.SpanKind.SERVER,
            parent=tracing.parent_from_headers(request.headers),
            attributes={"http.request.method": method},
        ) as span:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            route = match.route if match else "unmatched"
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", response.status_code)
            if request_id := getattr(request, "request_id", None):
                span.set_attribute("flowplane.request_id", request_id)
            if response.status_code >= 500:
                tracing.failed(span, str(response.status_code))
        return response
