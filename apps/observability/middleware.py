"""Request middleware: the request id, and the request metrics."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.observability import metrics
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
            method=request.method or "", view=(match.view_name if match else "unmatched"),
            status=response.status_code, seconds=time.perf_counter() - start)
        return response
