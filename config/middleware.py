"""Request guards that apply before any view runs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class BodySizeLimitMiddleware:
    """Refuse bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413.

    Django enforces that limit only when `request.body` or `request.POST` is read; DRF's
    parsers read the stream directly, so without this a JSON body of any size is accepted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                {"type": "parse_error", "detail": "Invalid Content-Length."}, status=400
            )
        if limit is not None and length > limit:
            return JsonResponse(
                {
                    "type": "payload_too_large",
                    "detail": f"The request body is larger than {limit} bytes.",
                },
                status=413,
            )
        return self.get_response(request)
