"""The monitoring endpoints on known runs and steps: exact aggregates, scoping, validation.

Runs the same on SQLite (the default) and PostgreSQL (DATABASE_URL set): the two query texts
in apps/workflows/monitoring/sql.py must agree on every figure.
"""

from datetime import UTC, datetime, timedelta

import pytest

from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.tests.factories import ExecutionFactory, WorkflowFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}


def run(workflow, status, *, at, ms=None, claimed=False):
    """A run created `at` (hours after DAY, may be fractional) that took `ms` (or that only
    was `claimed` by a worker, no finish recorded)."""
    execution = ExecutionFactory(workflow=workflow, status=status)
    created = DAY + timedelta(hours=at)
    started = created + timedelta(seconds=1) if ms is not None or claimed else None
    finished = started + timedelta(milliseconds=ms) if ms is not None else None
    Execution.objects.filter(pk=execution.pk).update(
        created_at=created, started_at=started, finished_at=finished
    )
    return execution


def step(execution, node_id, block_type, status, *, ms=None, message=None):
    started = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return ExecutionStep.objects.create(
        execution=execution,
        node_id=node_id,
        block_type=block_type,
        status=status,
        started_at=started if ms is not None else None,
        finished_at=started + timedelta(milliseconds=ms) if ms is not None else None,
        error={"message": message, "code": "http_error"} if message else None,
    )


@pytest.fixture
def runs(workspace, other_workspace):
    alpha = WorkflowFactory(workspace=workspace, name="Alpha")
    beta = WorkflowFactory(workspace=workspace, name="Beta")
    ok = [
        run(alpha, "succeeded", at=at, ms=ms)
        for at, ms in [(1.1, 100), (1.3, 200), (2.1, 300), (2.5, 400), (5, 1000)]
    ]
    failed = run(alpha, "failed", at=5.5, ms=500)
    run(beta, "cancelled", at=23.9)
    run(beta, "queued", at=23.95)
    run(beta, "waiting", at=0)
    # Outside the window (its end is exclusive) or another workspace's: never counted.
    run(alpha, "failed", at=24, ms=9000)
    run(WorkflowFactory(workspace=other_workspace), "succeeded", at=3, ms=7)
    for index, ms in enumerate([10, 20, 30, 40]):
        step(ok[index], "call", "http_request", "succeeded", ms=ms)
    step(ok[4], "pause", "delay", "succeeded", ms=1000)
    step(ok[4], "skipped", "http_request", "skipped", ms=99999)
    first = step(ok[0], "send", "email", "failed", ms=5, message="older failure")
    step(
        failed, "send", "email", "failed", ms=5, message="401 from https://x.test?token=s3cr3tv4lue"
    )
    parsed = run(beta, "failed", at=6, claimed=True)
    step(parsed, "parse", "transform", "failed", message="bad input")
    return {"alpha": alpha, "beta": beta, "first_failure": first}


def get(api, workspace, path, **params):
    return api.get(f"/api/v1/monitoring/{path}/", {"workspace": str(workspace.id), **params})


def test_timeline_counts_runs_per_hour_and_status(api, workspace, runs):
    body = get(api, workspace, "timeline", **WINDOW).json()
    assert body["bucket"] == "hour"
    assert len(body["buckets"]) == 24
    by_hour = {
        b["start"]: b for b in body["buckets"] if any(b[s] for s in body["totals"] if s != "total")
    }
    assert {hour: (b["succeeded"], b["failed"]) for hour, b in by_hour.items()} == {
        "2026-01-01T00:00:00Z": (0, 0),
        "2026-01-01T01:00:00Z": (2, 0),
        "2026-01-01T02:00:00Z": (2, 0),
        "2026-01-01T05:00:00Z": (1, 1),
        "2026-01-01T06:00:00Z": (0, 1),
        "2026-01-01T23:00:00Z": (0, 0),
    }
    assert by_hour["2026-01-01T00:00:00Z"]["waiting"] == 1
    assert (
        by_hour["2026-01-01T23:00:00Z"]["cancelled"],
        by_hour["2026-01-01T23:00:00Z"]["queued"],
    ) == (1, 1)
    assert body["totals"] == {
        "queued": 1,
        "running": 0,
        "waiting": 1,
        "succeeded": 5,
        "failed": 2,
        "cancelled": 1,
        "total": 10,
    }
    assert body["success_rate"] == pytest.approx(5 / 7)


def test_timeline_bucket_follows_the_range(api, workspace, runs):
    hour = get(
        api, workspace, "timeline", **{"from": "2026-01-01T05:00:00Z", "to": "2026-01-01T06:00:00Z"}
    )
    assert hour.json()["bucket"] == "minute"
    minutes = {b["start"]: b["succeeded"] + b["failed"] for b in hour.json()["buckets"]}
    assert len(minutes) == 60
    assert minutes["2026-01-01T05:00:00Z"] == 1
    assert minutes["2026-01-01T05:30:00Z"] == 1
    month = get(
        api, workspace, "timeline", **{"from": "2025-12-03T00:00:00Z", "to": "2026-01-02T00:00:00Z"}
    )
    assert month.json()["bucket"] == "day"
    assert len(month.json()["buckets"]) == 30
    assert month.json()["buckets"][-1] | {"start": None} == {
        "start": None,
        "queued": 1,
        "running": 0,
        "waiting": 1,
        "succeeded": 5,
        "failed": 2,
        "cancelled": 1,
    }


def test_workflow_percentiles(api, workspace, runs):
    body = get(api, workspace, "workflows", **WINDOW).json()
    assert body == [
        {
            "workflow": str(runs["alpha"].id),
            "workflow_name": "Alpha",
            "runs": 6,
            "succeeded": 5,
            "failed": 1,
            "success_rate": pytest.approx(5 / 6),
            # 100 200 300 400 500 1000: p50 halfway 300..400, p95 at rank 4.75 (500..1000)
            "p50_ms": 350.0,
            "p95_ms": 875.0,
        },
        {
            "workflow": str(runs["beta"].id),
            "workflow_name": "Beta",
            "runs": 4,
            "succeeded": 0,
            "failed": 1,
            "success_rate": 0.0,
            "p50_ms": None,  # its failed run never started
            "p95_ms": None,
        },
    ]


def test_block_percentiles_skip_unfinished_and_skipped_steps(api, workspace, runs):
    body = get(api, workspace, "blocks", **WINDOW).json()
    assert body == [
        {"block_type": "delay", "steps": 1, "failed": 0, "p50_ms": 1000.0, "p95_ms": 1000.0},
        # 10 20 30 40: p50 at rank 1.5, p95 at rank 2.85
        {"block_type": "http_request", "steps": 4, "failed": 0, "p50_ms": 25.0, "p95_ms": 38.5},
        {"block_type": "email", "steps": 2, "failed": 2, "p50_ms": 5.0, "p95_ms": 5.0},
    ]


def test_failing_nodes_show_the_last_error_redacted(api, workspace, runs):
    body = get(api, workspace, "failing-nodes", **WINDOW).json()
    assert [(n["workflow_name"], n["node_id"], n["failures"]) for n in body] == [
        ("Alpha", "send", 2),
        ("Beta", "parse", 1),
    ]
    assert body[0]["last_error"] == "401 from https://x.test?token=[Filtered]"
    assert "s3cr3tv4lue" not in str(body)
    assert body[0]["block_type"] == "email"
    assert body[0]["last_failed_at"] == "2026-01-01T12:00:00.005000Z"
    assert body[1]["last_failed_at"] is None


def test_backlog_counts_what_waits_now(api, workspace, runs):
    run(runs["alpha"], "running", at=-100)
    body = get(api, workspace, "backlog").json()
    assert {k: body[k] for k in ("queued", "waiting", "running")} == {
        "queued": 1,
        "waiting": 1,
        "running": 1,
    }
    assert body["oldest_queued_at"] == "2026-01-01T23:57:00Z"
    assert body["workflows"] == [
        {
            "workflow": str(runs["beta"].id),
            "workflow_name": "Beta",
            "queued": 1,
            "waiting": 1,
            "running": 0,
        },
        {
            "workflow": str(runs["alpha"].id),
            "workflow_name": "Alpha",
            "queued": 0,
            "waiting": 0,
            "running": 1,
        },
    ]


def test_empty_workspace_answers_zeros(api, workspace):
    timeline = get(api, workspace, "timeline", **WINDOW).json()
    assert timeline["totals"]["total"] == 0
    assert timeline["success_rate"] is None
    for path in ("workflows", "blocks", "failing-nodes"):
        assert get(api, workspace, path, **WINDOW).json() == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "2026-01-02T00:00:00Z"}, "from"),
        ({"from": "", "to": "2026-01-02T00:00:00Z"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
        ({"from": "2025-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
        ({"from": "2026-01-01T00:00:00Z", "to": "soon"}, "to"),
    ],
)
def test_window_is_validated(api, workspace, params, field):
    response = get(api, workspace, "timeline", **params)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_workspace_is_required_and_scoped(api, workspace, other_workspace, runs):
    response = api.get("/api/v1/monitoring/backlog/")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["workspace"]
    assert get(api, other_workspace, "timeline", **WINDOW).status_code == 404
    assert get(api, other_workspace, "backlog").status_code == 404
