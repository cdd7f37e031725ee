"""The Monitoring page's hourly rollups: filled by the beat task once per finished run, read
with the raw rows not rolled yet; counts stay exact, percentiles within the histogram's
documented error (apps/workflows/histogram.py). SQLite by default, PostgreSQL with
DATABASE_URL set: the rollup and hybrid texts differ per vendor."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F, Sum
from django.db.models.functions import TruncDay
from django_celery_beat.models import PeriodicTask

from apps.workflows import histogram
from apps.workflows.beat import ensure_platform_tasks
from apps.workflows.models import (
    Execution,
    ExecutionStep,
    NodeFailureRollup,
    NodeFailureRollupDay,
    RolledStep,
    RollupWatermark,
    RunRollup,
    RunRollupDay,
    StepRollup,
    StepRollupDay,
)
from apps.workflows.monitoring.rollup import rollup_tick
from apps.workflows.retention import executions_expire
from apps.workflows.tasks import rollup_monitoring_task
from apps.workflows.tests.test_monitoring_api import DAY, WINDOW, get, run, runs, step

pytestmark = pytest.mark.django_db
__all__ = ["runs"]  # the fixture, shared with the exact tests

WINDOWS = [
    WINDOW,  # one whole day, hour buckets
    {"from": "2025-12-31T22:30:00Z", "to": "2026-01-01T23:54:00Z"},  # partial hours at the ends
    {"from": "2025-12-03T00:00:00Z", "to": "2026-01-02T00:00:00Z"},  # 30 days, day buckets
    # Whole hours either side of a whole day, with hour and with day buckets.
    {"from": "2025-12-31T19:45:00Z", "to": "2026-01-02T05:30:00Z"},
    {"from": "2025-12-25T20:15:00Z", "to": "2026-01-04T03:30:00Z"},
]
PATHS = ["timeline", "workflows", "blocks", "failing-nodes"]


def page(api, workspace, window):
    return {path: get(api, workspace, path, **window).json() for path in PATHS}


def assert_same_within_histogram_error(rolled, exact):
    """Equal, except p50/p95 within one bucket's ratio of the exact figure."""
    assert type(rolled) is type(exact)
    if isinstance(exact, dict):
        assert rolled.keys() == exact.keys()
        for key, value in exact.items():
            if key in ("p50_ms", "p95_ms") and value is not None:
                assert value / histogram.RATIO <= rolled[key] <= value * histogram.RATIO, key
            else:
                assert_same_within_histogram_error(rolled[key], value)
    elif isinstance(exact, list):
        assert len(rolled) == len(exact)
        for r, e in zip(rolled, exact, strict=True):
            assert_same_within_histogram_error(r, e)
    else:
        assert rolled == exact


@pytest.mark.parametrize("window", WINDOWS)
def test_rolled_answers_match_the_exact_ones(api, workspace, runs, window):
    exact = page(api, workspace, window)
    rollup_monitoring_task()  # the beat task's body
    # Every run with a finish time (8, two of them outside the window); the rest stays raw.
    assert sum(RunRollup.objects.values_list("runs", flat=True)) == 8
    send = NodeFailureRollup.objects.filter(node_id="send")
    assert sorted(send.values_list("hour__hour", "failures")) == [(1, 1), (5, 1)]
    assert_days_sum_their_hours()
    # Only the rollups can still count the rolled runs of Alpha: its raw rows are gone
    # (deleted behind the rollups' back; retention subtracts them, see below).
    Execution.objects.filter(workflow=runs["alpha"]).exclude(status="failed").delete()
    rolled = page(api, workspace, window)
    assert_same_within_histogram_error(rolled, exact)
    assert rolled["workflows"][0]["p50_ms"] != exact["workflows"][0]["p50_ms"]  # a histogram's


def assert_days_sum_their_hours():
    for hourly, daily, key, count in [
        (RunRollup, RunRollupDay, ["workspace", "workflow", "status"], "runs"),
        (StepRollup, StepRollupDay, ["workspace", "block_type"], "steps"),
        (NodeFailureRollup, NodeFailureRollupDay, ["workspace", "workflow", "node_id"], "failures"),
    ]:
        by_hour = hourly.objects.annotate(day=TruncDay("hour", tzinfo=UTC)).values(*key, "day")
        sums = {tuple(r.values())[:-1]: r["n"] for r in by_hour.annotate(n=Sum(count))}
        assert sums == {
            tuple(r.values())[:-1]: r["n"] for r in daily.objects.values(*key, "day", n=F(count))
        }


def test_retention_takes_what_it_deletes_out_of_the_rollups(api, workspace, runs, settings):
    rollup_monitoring_task()
    # 30 days after the window's 03:00: the four succeeded runs created before it go, with
    # their steps (one slice each) and the first failure of "send"; failed runs stay.
    settings.EXECUTION_RETENTION_STEP_BATCH = 1
    assert executions_expire(now=DAY + timedelta(days=30, hours=3)) == 4
    assert sum(RunRollup.objects.values_list("runs", flat=True)) == 4
    assert list(NodeFailureRollup.objects.filter(node_id="send").values_list("hour__hour")) == [
        (5,)
    ]
    assert_days_sum_their_hours()
    rolled = {i: page(api, workspace, w) for i, w in enumerate(WINDOWS)}
    RollupWatermark.objects.all().delete()  # the exact answers, from the raw rows left
    for i, window in enumerate(WINDOWS):
        assert_same_within_histogram_error(rolled[i], page(api, workspace, window))


def test_a_run_is_rolled_once_when_it_finishes_however_late(api, workspace, runs, settings):
    settings.MONITORING_ROLLUP_GRACE_SECONDS = 0
    late = run(runs["beta"], "running", at=3.5)
    step(late, "call", "http_request", "succeeded", ms=50)
    rollup_tick(now=datetime(2026, 1, 3, tzinfo=UTC))
    assert not RunRollup.objects.filter(status="running").exists()  # unfinished: read raw
    totals = get(api, workspace, "timeline", **WINDOW).json()["totals"]
    assert (totals["running"], totals["succeeded"], totals["total"]) == (1, 5, 11)

    # It ends two days after its hour was rolled: raw until the next tick, then rolled.
    finished = datetime(2026, 1, 3, 12, tzinfo=UTC)
    Execution.objects.filter(pk=late.pk).update(
        status="succeeded", started_at=finished - timedelta(seconds=2), finished_at=finished
    )
    for now in (None, datetime(2026, 1, 3, 13, tzinfo=UTC), datetime(2026, 1, 3, 14, tzinfo=UTC)):
        if now:
            rollup_tick(now=now)
        body = get(api, workspace, "timeline", **WINDOW).json()
        assert (body["totals"]["running"], body["totals"]["succeeded"]) == (0, 6)
        assert body["totals"]["total"] == 11
        blocks = {
            b["block_type"]: b["steps"] for b in get(api, workspace, "blocks", **WINDOW).json()
        }
        assert blocks["http_request"] == 5
    hour = DAY + timedelta(hours=3)
    assert RunRollup.objects.get(hour=hour, workflow=runs["beta"]).runs == 1
    assert StepRollup.objects.get(block_type="http_request", hour=hour).steps == 1
    assert_days_sum_their_hours()


def test_runs_finished_within_the_grace_wait_for_the_next_tick(workspace, runs, settings):
    settings.MONITORING_ROLLUP_GRACE_SECONDS = 600
    failed = Execution.objects.filter(workflow=runs["alpha"], status="failed")
    finish = failed.order_by("finished_at").first().finished_at  # 05:30, the other 24:00
    assert rollup_tick(now=finish + timedelta(seconds=599)) is not None
    assert not RunRollup.objects.filter(status="failed", workflow=runs["alpha"]).exists()
    rollup_tick(now=finish + timedelta(seconds=601))
    assert RunRollup.objects.get(status="failed", workflow=runs["alpha"]).runs == 1
    assert rollup_tick(now=finish + timedelta(seconds=601)) is None  # nothing new


def test_histogram_percentiles_stay_within_a_bucket():
    rng = random.Random(7)
    values = sorted(rng.lognormvariate(5, 2) + 1 for _ in range(2000))
    counts = [0] * histogram.BUCKETS
    for value in values:
        bucket = 1 + int(histogram.PER_DOUBLING * math.log2(value))
        counts[bucket] += 1
    for p in (0.5, 0.95, 0.99):
        position = p * (len(values) - 1)
        low = int(position)
        exact = values[low] + (values[low + 1] - values[low]) * (position - low)
        estimate = histogram.percentile(counts, p)
        assert exact / histogram.RATIO <= estimate <= exact * histogram.RATIO
    assert histogram.percentile([0] * histogram.BUCKETS, 0.5) is None


def test_beat_runs_the_rollup_from_a_database_row(settings):
    PeriodicTask.objects.filter(name="Monitoring rollup").delete()
    settings.MONITORING_ROLLUP_INTERVAL_SECONDS = 120
    ensure_platform_tasks()
    task = PeriodicTask.objects.get(name="Monitoring rollup")
    assert (task.task, task.queue, task.interval.every) == (
        "housekeeping.rollup_monitoring",
        "housekeeping",
        120,
    )


def exact_page(api, workspace, window):
    """The page read from the raw rows alone (no watermark), the watermark put back after."""
    mark = RollupWatermark.objects.get(pk=1)
    RollupWatermark.objects.all().delete()
    try:
        return page(api, workspace, window)
    finally:
        mark.save()


def notes():
    """The steps noted as rolled before their run, by node (the fixture's "parse" failed
    without a finish time in a run without one: rolled at the first tick, noted)."""
    return sorted(
        ExecutionStep.objects.filter(pk__in=RolledStep.objects.values("step_id")).values_list(
            "node_id", flat=True
        )
    )


def in_flight_run(runs):
    """A run started at 03:30 and still going: one step done, one failed, one waiting."""
    late = run(runs["beta"], "waiting", at=3.5, claimed=True)
    step(late, "call", "http_request", "succeeded", ms=50)
    step(late, "send", "email", "failed", ms=5, message="newest failure")
    return late, step(late, "pause", "delay", "waiting")


def assert_page_counts_once(api, workspace):
    for window in WINDOWS:
        assert_same_within_histogram_error(
            page(api, workspace, window), exact_page(api, workspace, window)
        )
    blocks = {b["block_type"]: b["steps"] for b in get(api, workspace, "blocks", **WINDOW).json()}
    return blocks


def test_a_step_is_rolled_once_when_it_finishes_before_its_run(api, workspace, runs, settings):
    settings.MONITORING_ROLLUP_GRACE_SECONDS = 0
    late, pause = in_flight_run(runs)
    rollup_tick(now=datetime(2026, 1, 2, tzinfo=UTC))
    hour = DAY + timedelta(hours=3)
    # Its two ended steps are rolled while the run goes on; the waiting one counts nowhere.
    assert StepRollup.objects.get(block_type="http_request", hour=hour).steps == 1
    assert NodeFailureRollup.objects.get(workflow=runs["beta"], node_id="send").failures == 1
    assert notes() == ["call", "parse", "send"]
    assert not RunRollup.objects.filter(status="waiting").exists()
    assert assert_page_counts_once(api, workspace)["http_request"] == 5

    # The waiting step ends after the watermark: raw until the next tick, then rolled.
    ExecutionStep.objects.filter(pk=pause.pk).update(
        status="succeeded",
        started_at=DAY + timedelta(hours=4),
        finished_at=DAY + timedelta(days=1, hours=6),
    )
    for now in (None, datetime(2026, 1, 2, 12, tzinfo=UTC)):
        if now:
            rollup_tick(now=now)
        assert assert_page_counts_once(api, workspace)["delay"] == 2
    assert notes() == ["call", "parse", "pause", "send"]

    # The run ends: its steps are not read again, raw or rolled, before or after its tick.
    finished = datetime(2026, 1, 3, tzinfo=UTC)
    Execution.objects.filter(pk=late.pk).update(status="succeeded", finished_at=finished)
    for now in (None, datetime(2026, 1, 3, 1, tzinfo=UTC)):
        if now:
            rollup_tick(now=now)
        blocks = assert_page_counts_once(api, workspace)
        assert (blocks["http_request"], blocks["delay"]) == (5, 2)
    assert notes() == ["parse"]  # its run counts them now
    assert StepRollup.objects.get(block_type="http_request", hour=hour).steps == 1
    assert_days_sum_their_hours()

    # Retention (succeeded runs created before 04:00, one of them the other workspace's)
    # takes the run and its steps out once.
    assert executions_expire(now=DAY + timedelta(days=30, hours=4)) == 6
    assert not StepRollup.objects.filter(hour=hour).exists()
    assert not NodeFailureRollup.objects.filter(workflow=runs["beta"], node_id="send").exists()
    assert_page_counts_once(api, workspace)
    assert_days_sum_their_hours()


def test_retention_subtracts_steps_rolled_before_their_run(api, workspace, runs, settings):
    settings.MONITORING_ROLLUP_GRACE_SECONDS = 0
    settings.EXECUTION_RETENTION_STEP_BATCH = 1
    late, _ = in_flight_run(runs)
    rollup_tick(now=datetime(2026, 1, 2, tzinfo=UTC))
    # The run ends after the watermark and is deleted before any tick rolls it: only its
    # steps rolled early were in the rollups.
    Execution.objects.filter(pk=late.pk).update(
        status="succeeded", finished_at=datetime(2026, 1, 3, tzinfo=UTC)
    )
    assert executions_expire(now=DAY + timedelta(days=30, hours=4)) == 6
    assert not Execution.objects.filter(pk=late.pk).exists()
    assert notes() == ["parse"]
    assert not NodeFailureRollup.objects.filter(workflow=runs["beta"], node_id="send").exists()
    # Left: the timed steps of the runs created from 05:00 (a delay, a failed email).
    assert sorted(StepRollup.objects.values_list("block_type", "steps")) == [
        ("delay", 1),
        ("email", 1),
    ]
    assert_page_counts_once(api, workspace)
    assert_days_sum_their_hours()


def test_a_step_written_after_the_watermark_passed_its_finish_is_rolled_next_tick(
    api, workspace, runs, settings
):
    settings.MONITORING_ROLLUP_GRACE_SECONDS = 0
    late, _ = in_flight_run(runs)
    rollup_tick(now=datetime(2026, 1, 2, tzinfo=UTC))
    # Written late with an old finish (a re-run copies its earlier steps): the next tick
    # finds it by its run, whatever its finish time.
    step(late, "copied", "http_request", "succeeded", ms=70)
    rollup_tick(now=datetime(2026, 1, 2, 1, tzinfo=UTC))
    assert (
        StepRollup.objects.get(block_type="http_request", hour=DAY + timedelta(hours=3)).steps == 2
    )
    assert notes() == ["call", "copied", "parse", "send"]
    assert assert_page_counts_once(api, workspace)["http_request"] == 6


def test_the_notes_of_deleted_steps_go_at_the_next_tick(workspace, runs, settings):
    settings.MONITORING_ROLLUP_GRACE_SECONDS = 0
    late, _ = in_flight_run(runs)
    rollup_tick(now=datetime(2026, 1, 2, tzinfo=UTC))
    parse = ExecutionStep.objects.get(node_id="parse").pk
    late.delete()  # as its workflow's deletion would, outside retention
    assert RolledStep.objects.count() == 3
    rollup_tick(now=datetime(2026, 1, 2, 1, tzinfo=UTC))
    assert list(RolledStep.objects.values_list("step_id", flat=True)) == [parse]
