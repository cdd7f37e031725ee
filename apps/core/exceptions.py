"""Application errors. The API maps each subclass to one status and one body shape."""

from typing import Any


class ApplicationError(Exception):
    """Base for errors a caller can act on; `type` names it in API bodies."""

    type = "error"
    status_code = 400

    def __init__(
        self,
        detail: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}
        self.extra = extra or {}


class InvalidInput(ApplicationError):
    type = "validation_error"
    status_code = 400


class NotFound(ApplicationError):
    type = "not_found"
    status_code = 404


class PermissionDenied(ApplicationError):
    type = "permission_denied"
    status_code = 403


class Conflict(ApplicationError):
    type = "conflict"
    status_code = 409
