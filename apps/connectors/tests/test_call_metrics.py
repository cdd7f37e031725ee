"""Connector calls through the real outbound client, to a local server, land in the
workspace's minute rows with exact counts and latencies (apps/connectors/call_metrics.py)."""

from __future__ import annotations

import socket

import pytest

from apps.connectors.call_metrics import calls_for, latency_field
from apps.connectors.clients import outbound_client
from apps.connectors.models import LATENCY_FIELDS, ConnectorCallBucket
from apps.connectors.outbound import OutboundConnectionError, TargetPolicy
from apps.connectors.outbound.policies import NO_RETRY
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.credentials import services as credential_services

ACME = TargetPolicy(key="connector:acme", retry=NO_RETRY)


def histogram(row: ConnectorCallBucket) -> dict[str, int]:
    return {f: getattr(row, f) for f in LATENCY_FIELDS if getattr(row, f)}


@pytest.fixture
def server(settings):
    with LocalServer() as srv:
        srv.route("/ok", Reply(status=200, body=b"{}", delay=0.3))
        srv.route("/boom", Reply(status=500, body=b"{}"))
        srv.route("/limited", Reply(status=429, body=b"{}"))
        settings.OUTBOUND_ALLOWLIST = [srv.netloc]
        yield srv


@pytest.mark.django_db
def test_calls_are_counted_per_workspace_and_connector(server, workspace, other_workspace):
    client = outbound_client()
    with calls_for(workspace_id=workspace.pk):
        for path in ("/ok", "/ok", "/boom", "/limited"):
            client.get(server.url(path), target=ACME)
    with calls_for(workspace_id=other_workspace.pk):
        client.get(server.url("/boom"), target=ACME)

    row = ConnectorCallBucket.objects.get(workspace=workspace, connector="acme")
    assert (row.calls, row.failures, row.rate_limited) == (4, 1, 1)
    # The two 200s waited 300 ms each at the server; the 500 and the 429 answered at once.
    assert histogram(row) == {"le_50ms": 2, "le_500ms": 2}
    assert 600 <= row.latency_ms_total < 900
    assert 300 <= row.latency_ms_max < 500
    assert row.last_error == "HTTP 429"  # the latest failure wins
    assert row.last_success_at is not None and row.last_failure_at >= row.last_success_at
    assert row.bucket.second == 0 and row.bucket.microsecond == 0

    other = ConnectorCallBucket.objects.get(workspace=other_workspace, connector="acme")
    assert (other.calls, other.failures, other.last_success_at) == (1, 1, None)


@pytest.mark.django_db
def test_calls_without_a_workspace_or_a_connector_are_not_kept(server, workspace):
    client = outbound_client()
    client.get(server.url("/ok"), target=ACME)  # no workspace bound (an admin health check)
    with calls_for(workspace_id=workspace.pk):
        client.get(server.url("/boom"))  # a plain URL: no connector to count it for
    assert not ConnectorCallBucket.objects.exists()
    with calls_for(workspace_id=workspace.pk, connector="acme"):
        client.get(server.url("/boom"))  # the caller names the connector (a credential test)
    assert ConnectorCallBucket.objects.get(connector="acme").failures == 1


@pytest.mark.django_db
def test_a_connection_failure_is_a_failure_with_its_reason(workspace, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{port}"]
    with calls_for(workspace_id=workspace.pk), pytest.raises(OutboundConnectionError):
        outbound_client().get(f"http://127.0.0.1:{port}/", target=ACME)
    row = ConnectorCallBucket.objects.get(workspace=workspace, connector="acme")
    assert (row.calls, row.failures, row.rate_limited) == (1, 1, 0)
    assert "connection to '127.0.0.1' failed" in row.last_error


@pytest.mark.django_db
def test_a_credential_connection_test_counts_for_its_connector(server, workspace, user):
    connector = ConnectorFactory(slug="acme", base_url=server.url(""), health_check_operation="me")
    OperationFactory(connector=connector, key="me", path="/limited")
    credential = credential_services.credential_create(
        workspace=workspace,
        actor=user,
        name="acme",
        kind="bearer",
        secret={"token": "t0ken-value"},
        connector=connector,
    )
    result = credential_services.credential_test(credential=credential)
    assert result["status"] == 429
    row = ConnectorCallBucket.objects.get(workspace=workspace, connector="acme")
    assert (row.calls, row.rate_limited) == (1, 1)


@pytest.mark.parametrize(
    ("milliseconds", "field"),
    [(0, "le_50ms"), (50, "le_50ms"), (51, "le_100ms"), (10000, "le_10000ms"), (10001, "le_inf")],
)
def test_latency_buckets_include_their_upper_bound(milliseconds: int, field: str) -> None:
    assert latency_field(milliseconds) == field
