"""The Status page's API: figures summed over the range, the workspace's credentials beside
them, nothing of another workspace, and strict range parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.connectors.call_metrics import bucket_add
from apps.connectors.outbound import CallOutcome
from apps.connectors.status import percentile_ms
from apps.connectors.tests.factories import ConnectorFactory
from apps.credentials import services as credential_services
from apps.workspaces.models import Role

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "/api/v1/connectors/status/"
QUERIES = 8


def call(workspace, connector: str, at: datetime, status: int | None, ms: int, error=""):
    # A remote MCP server's calls are recorded under their target's key, as such.
    key = connector if connector.startswith("mcp:") else f"connector:{connector}"
    outcome = CallOutcome(
        target_key=key,
        status=status,
        seconds=ms / 1000,
        error=error or (f"HTTP {status}" if status and status >= 400 else ""),
        rate_limited=status == 429,
    )
    bucket_add(workspace_id=workspace.pk, connector=connector, outcome=outcome, at=at)


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


@pytest.fixture
def calls(workspace, other_workspace, user):
    acme = ConnectorFactory(slug="acme", name="Acme")
    ConnectorFactory(slug="beta", name="Beta")
    ConnectorFactory(slug="gamma", name="Gamma")
    credential_services.credential_create(
        workspace=workspace, actor=user, name="Acme key", kind="bearer",
        secret={"token": "s3cret-token-value"}, connector=acme,
    )  # fmt: skip
    for minute in range(18):  # 18 fast successes over 18 minutes
        call(workspace, "acme", T0 + timedelta(minutes=minute, seconds=5), 200, 40)
    call(workspace, "acme", T0 + timedelta(minutes=3), 500, 700)
    call(workspace, "acme", T0 + timedelta(minutes=4), 429, 2000)
    call(workspace, "acme", T0 - timedelta(days=2), 503, 30)  # before the range
    call(workspace, "beta", T0 + timedelta(minutes=1), 200, 120)  # called, no credential
    call(other_workspace, "acme", T0 + timedelta(minutes=2), 500, 10)
    call(other_workspace, "gamma", T0 + timedelta(minutes=2), 200, 10)


@pytest.mark.django_db
def test_status_lists_connected_connectors_with_their_figures(api, workspace, calls):
    response = api.get(URL, {"workspace": str(workspace.pk), **window(T0, T0 + timedelta(hours=1))})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [c["slug"] for c in body["connectors"]] == ["acme", "beta"]  # never gamma
    acme, beta = body["connectors"]
    assert acme["figures"] == {
        "calls": 20,
        "failures": 1,
        "rate_limited": 1,
        "error_rate": 0.1,
        "avg_ms": (18 * 40 + 700 + 2000) // 20,
        "p95_ms": 1000,  # 19th of 20 calls: the one in (500, 1000] ms, bucket top capped
    }
    assert acme["last_error"] == "HTTP 429"
    assert acme["last_failure_at"].startswith("2026-03-01T12:04")
    assert acme["last_success_at"].startswith("2026-03-01T12:17")
    [credential] = acme["credentials"]
    assert credential["name"] == "Acme key" and credential["status"] == "connected"
    assert "s3cret" not in response.content.decode()
    assert beta["figures"]["calls"] == 1 and beta["credentials"] == []


@pytest.mark.django_db
def test_a_connector_with_a_credential_and_no_calls_is_listed_empty(api, workspace, calls):
    later = T0 + timedelta(days=1)
    query = {"workspace": str(workspace.pk), **window(later, later + timedelta(hours=1))}
    body = api.get(URL, query)
    [acme] = body.json()["connectors"]
    assert acme["figures"] == {
        "calls": 0, "failures": 0, "rate_limited": 0, "error_rate": None, "avg_ms": None,
        "p95_ms": None,
    }  # fmt: skip
    assert acme["last_error"] == "HTTP 429"  # last ever, whatever the range


@pytest.mark.django_db
def test_series_per_minute_with_zero_minutes_and_recent_failures(api, workspace, calls):
    query = {"workspace": str(workspace.pk), **window(T0, T0 + timedelta(minutes=30))}
    body = api.get(URL + "acme/series/", query).json()
    assert body["step"] == "minute" and len(body["points"]) == 30
    assert [p["figures"]["calls"] for p in body["points"][:5]] == [1, 1, 1, 2, 2]
    assert body["points"][4]["figures"]["rate_limited"] == 1
    assert body["points"][25]["figures"] == {
        "calls": 0, "failures": 0, "rate_limited": 0, "error_rate": None, "avg_ms": None,
        "p95_ms": None,
    }  # fmt: skip
    assert [f["error"] for f in body["recent_failures"]] == ["HTTP 429", "HTTP 500"]
    day = api.get(URL + "acme/series/", {**query, "to": (T0 + timedelta(days=2)).isoformat()})
    assert day.json()["step"] == "hour" and day.json()["points"][0]["figures"]["calls"] == 20


@pytest.mark.django_db
def test_another_workspace_sees_only_its_own_calls(api, workspace, other_workspace, calls):
    assert api.get(URL, {"workspace": str(other_workspace.pk)}).status_code in (403, 404)
    series = api.get(URL + "acme/series/", {"workspace": str(other_workspace.pk)})
    assert series.status_code in (403, 404)


@pytest.mark.django_db
def test_a_viewer_reads_the_status(member_api, workspace, calls):
    viewer = member_api(Role.VIEWER)
    query = {"workspace": str(workspace.pk), **window(T0, T0 + timedelta(hours=1))}
    assert viewer.get(URL, query).json()["connectors"][0]["figures"]["calls"] == 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "workspace"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from"),
        ({"from": "2025-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from"),
        ({"page": "2"}, "page"),
    ],
)
def test_range_parameters_are_strict(api, workspace, query, field):
    if field != "workspace":
        query = {"workspace": str(workspace.pk), **query}
    response = api.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_series_of_an_unknown_connector_is_404(api, workspace):
    assert api.get(URL + "nope/series/", {"workspace": str(workspace.pk)}).status_code == 404


@pytest.mark.django_db
def test_status_lists_the_mcp_servers_called_in_the_range(api, workspace, other_workspace, calls):
    tools = "mcp:tools.example.com:443"
    call(workspace, tools, T0 + timedelta(minutes=1), 200, 80)
    call(workspace, tools, T0 + timedelta(minutes=2), 503, 300, error="HTTP 503")
    call(workspace, tools, T0 + timedelta(minutes=3), 200, 60)
    call(workspace, "mcp:old.example.com:443", T0 - timedelta(days=2), 200, 10)  # before
    call(other_workspace, "mcp:theirs.example.com:443", T0 + timedelta(minutes=1), 200, 10)

    response = api.get(URL, {"workspace": str(workspace.pk), **window(T0, T0 + timedelta(hours=1))})
    assert response.status_code == 200, response.json()
    body = response.json()
    [server] = body["mcp_servers"]
    assert server["server"] == "tools.example.com:443"
    assert server["figures"]["calls"] == 3 and server["figures"]["failures"] == 1
    assert server["figures"]["error_rate"] == round(1 / 3, 4)
    assert server["last_error"] == "HTTP 503"
    assert server["last_failure_at"].startswith("2026-03-01T12:02")
    assert server["last_success_at"].startswith("2026-03-01T12:03")
    assert [c["slug"] for c in body["connectors"]] == ["acme", "beta"]  # no MCP row there


@pytest.mark.django_db
def test_status_costs_a_fixed_number_of_queries(api, workspace, calls, django_assert_num_queries):
    # Auth and membership, the range's sums, the credentials, the connectors with their last
    # success and failure, the MCP servers' sums and their last calls: the same count for any
    # number of connectors and servers.
    call(workspace, "mcp:tools.example.com:443", datetime.now(UTC), 200, 80)
    with django_assert_num_queries(QUERIES):
        assert api.get(URL, {"workspace": str(workspace.pk)}).status_code == 200


def test_p95_interpolates_inside_its_bucket():
    # 100 calls: 90 in (0, 50], 10 in (100, 250]: the 95th is the 5th of the 10.
    histogram = [90, 0, 10, 0, 0, 0, 0, 0, 0]
    assert percentile_ms(histogram, max_ms=240) == 100 + round((240 - 100) * 5 / 10)
    assert percentile_ms([0] * 9, max_ms=0) is None
    assert percentile_ms([0, 0, 0, 0, 0, 0, 0, 0, 3], max_ms=12000) == 12000
