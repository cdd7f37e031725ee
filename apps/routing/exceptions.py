"""Routing errors a caller can act on; the API maps each to one status and body shape."""

from apps.core.exceptions import ApplicationError, InvalidInput


class InvalidRouteMap(InvalidInput):
    type = "invalid_route_map"


class RouterUnavailable(ApplicationError):
    type = "router_unavailable"
    status_code = 503
