"""The connection test, on the real database; the third party is a local HTTP server."""

import pytest
from django.test import override_settings

from apps.connectors import health
from apps.connectors.exceptions import ConnectionTestFailed
from apps.connectors.models import Connector
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory

pytestmark = pytest.mark.django_db


def _health_connector(base_url: str, **op_fields) -> Connector:
    connector = ConnectorFactory(base_url=base_url, health_check_operation="me")
    OperationFactory(connector=connector, key="me", path="/users/{userId}/profile", **op_fields)
    return connector


ME_SCHEMA = {
    "type": "object",
    "required": ["userId"],
    "properties": {
        "userId": {"type": "string", "default": "me", "x-in": "path"},
        "fields": {"type": "string", "default": "id,name", "x-in": "query"},
    },
}


def test_connection_test_calls_the_health_check_operation():
    with LocalServer() as server:
        server.route("/v1/users/me/profile", Reply(200, body=b'{"id": 1}'), Reply(401, body=b"no"))
        connector = _health_connector(server.url("/v1"), parameters_schema=ME_SCHEMA)
        with override_settings(OUTBOUND_ALLOWLIST=[server.netloc]):
            ok = health.connector_test_connection(connector=connector)
            refused = health.connector_test_connection(connector=connector)
    assert ok.ok and ok.status == 200 and "HTTP 200" in ok.detail
    assert not refused.ok and refused.status == 401
    assert "needs a credential" in refused.detail
    assert server.requests[0].method == "GET"
    assert server.requests[0].path == "/v1/users/me/profile?fields=id%2Cname"


def test_connection_test_reports_blocked_or_unreachable_targets():
    connector = _health_connector("http://127.0.0.1:9", parameters_schema=ME_SCHEMA)
    check = health.connector_test_connection(connector=connector)
    assert not check.ok and check.status is None and check.detail.startswith("Unreachable")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"health_check_operation": ""}, "no health-check operation"),
        ({"health_check_operation": "missing"}, "does not exist"),
        ({"base_url": ""}, "no base URL"),
    ],
)
def test_connection_test_needs_a_usable_health_check(setup, message):
    connector = _health_connector("https://api.example.com", parameters_schema=ME_SCHEMA)
    for name, value in setup.items():
        setattr(connector, name, value)
    with pytest.raises(ConnectionTestFailed, match=message):
        health.connector_test_connection(connector=connector)


def test_connection_test_refuses_required_parameters_without_default():
    schema = {
        "type": "object",
        "required": ["userId"],
        "properties": {"userId": {"type": "string", "x-in": "path"}},
    }
    connector = _health_connector("https://api.example.com", parameters_schema=schema)
    with pytest.raises(ConnectionTestFailed, match="needs the parameter 'userId'"):
        health.connector_test_connection(connector=connector)
