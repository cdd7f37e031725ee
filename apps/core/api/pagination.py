"""Pagination for every list. `page` and `page_size` are integers of at least 1 when given:
DRF's own classes read an unparsable or empty value as "the default" and answer 200 to a
request the published schema calls invalid. Too large a `page_size` is capped, as before."""

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request


def _positive(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationError({name: ["Must be an integer of at least 1."]})
    return int(raw)


def _with_minimum(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for parameter in parameters:
        if parameter["name"] in ("page", "page_size"):
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
    return parameters


class DefaultPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        size = _positive(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return _positive(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return _with_minimum(super().get_schema_operation_parameters(view))


class CreatedCursorPagination(CursorPagination):
    """Stable paging over append-heavy tables (executions, audit events)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-created_at"

    def get_page_size(self, request: Request) -> int:
        size = _positive(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return _with_minimum(super().get_schema_operation_parameters(view))
