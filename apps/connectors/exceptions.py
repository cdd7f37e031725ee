from apps.core.exceptions import ApplicationError


class ImportFailed(ApplicationError):
    """An OpenAPI document could not be fetched, read or imported."""

    type = "import_failed"
    status_code = 400


class ConnectionTestFailed(ApplicationError):
    """A connector cannot be tested (no health-check operation, or it needs input)."""

    type = "connection_test_failed"
    status_code = 400
