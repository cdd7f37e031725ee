"""Cron schedules: the tick, DST, misfire after downtime, overlap, and two schedulers at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from apps.triggers import cron
from apps.triggers.models import Trigger, TriggerFire
from apps.triggers.scheduler import TickResult, _record, trigger_tick
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution

BERLIN = "Europe/Berlin"


def schedule(workspace, user, expression, *, tz="UTC", start=None, **config):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="schedule_trigger",
        config={"cron": expression, "timezone": tz, **config},
        name=f"{expression} {tz}",
    )
    trigger = Trigger.objects.get(workflow=workflow)
    if start is not None:
        trigger.next_fire_at = cron.next_after(expression, tz, start)
        trigger.save(update_fields=["next_fire_at"])
    return trigger


def run_ticks(start, end, step=timedelta(minutes=1)):
    now = start
    while now <= end:
        trigger_tick(now=now)
        now += step


def fired(trigger):
    return sorted(
        TriggerFire.objects.filter(trigger=trigger, outcome="fired").values_list(
            "scheduled_for", flat=True
        )
    )


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.django_db
def test_tick_fires_a_due_schedule_once_and_advances(workspace, user):
    t0 = at(2026, 6, 1, 12, 0)
    trigger = schedule(workspace, user, "*/5 * * * *", start=t0 - timedelta(seconds=1))
    assert trigger.next_fire_at == t0
    result = trigger_tick(now=t0 + timedelta(seconds=1))
    assert result.fired == 1
    execution = Execution.objects.get()
    assert execution.mode == Execution.Mode.SCHEDULE and execution.status == "queued"
    assert execution.input["scheduled_for"] == t0.isoformat()
    assert execution.version_id == trigger.workflow.published_version_id
    trigger.refresh_from_db()
    assert trigger.next_fire_at == t0 + timedelta(minutes=5)
    assert trigger.last_fired_at == t0 + timedelta(seconds=1)
    assert trigger_tick(now=t0 + timedelta(seconds=2)).fired == 0
    assert Execution.objects.count() == 1


@pytest.mark.django_db
def test_unique_key_is_the_backstop(workspace, user):
    trigger = schedule(workspace, user, "* * * * *")
    trigger = Trigger.objects.select_related("workflow__published_version").get(pk=trigger.pk)
    t = at(2026, 6, 1, 12, 0)
    assert _record(trigger, t, TriggerFire.Outcome.FIRED, TickResult()) is True
    result = TickResult()
    assert _record(trigger, t, TriggerFire.Outcome.FIRED, result) is False
    assert result.outcomes["duplicate"] == 1
    assert Execution.objects.count() == 1  # the second execution was rolled back with it


@pytest.mark.django_db
def test_spring_forward_gap_fires_once_at_the_next_valid_instant(workspace, user):
    start = at(2026, 3, 28, 22, 0)  # 23:00 CET, the evening before the clocks jump
    daily = schedule(workspace, user, "30 2 * * *", tz=BERLIN, start=start)
    halfhourly = schedule(workspace, user, "*/30 * * * *", tz=BERLIN, start=start)
    run_ticks(start, at(2026, 3, 29, 3, 0))
    # 02:30 does not exist on 29 March in Berlin: it fires once, at 03:00 CEST (01:00 UTC).
    assert fired(daily) == [at(2026, 3, 29, 1, 0)]
    local = [t.astimezone(cron.zone(BERLIN)).strftime("%H:%M") for t in fired(halfhourly)]
    # 02:00 and 02:30 fall into the gap and collapse into the one fire at 03:00.
    assert local == [
        "23:30",
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
        "04:00",
        "04:30",
        "05:00",
    ]


@pytest.mark.django_db
def test_fall_back_overlap_fires_once(workspace, user):
    start = at(2026, 10, 24, 22, 0)
    daily = schedule(workspace, user, "30 2 * * *", tz=BERLIN, start=start)
    hourly = schedule(workspace, user, "15 * * * *", tz=BERLIN, start=start)
    run_ticks(start, at(2026, 10, 25, 4, 0))
    # 02:30 happens twice on 25 October: it fires at the first, 02:30 CEST (00:30 UTC).
    assert fired(daily) == [at(2026, 10, 25, 0, 30)]
    local = [t.astimezone(cron.zone(BERLIN)).strftime("%H:%M%z") for t in fired(hourly)]
    assert local == ["00:15+0200", "01:15+0200", "02:15+0200", "03:15+0100", "04:15+0100"]


@pytest.mark.django_db
def test_preview_shows_the_dst_policy(api):
    response = api.post(
        "/api/v1/triggers/cron-preview/",
        {"expression": "30 2 * * *", "timezone": BERLIN, "count": 40},
        format="json",
    )
    runs = [r["at"] for r in response.json()["runs"]]
    assert len(runs) == len(set(runs)) == 40


@pytest.mark.django_db
def test_misfire_skip_after_downtime(workspace, user):
    t0 = at(2026, 6, 1, 12, 0)
    trigger = schedule(
        workspace, user, "*/10 * * * *", start=t0 - timedelta(seconds=1), misfire={"policy": "skip"}
    )
    result = trigger_tick(now=t0 + timedelta(minutes=65))  # the scheduler was down an hour
    assert result.fired == 0
    assert result.outcomes["skipped_misfire"] == 7
    trigger.refresh_from_db()
    assert trigger.next_fire_at == t0 + timedelta(minutes=70)


@pytest.mark.django_db
def test_by_default_an_outage_is_caught_up_by_one_run(workspace, user):
    t0 = at(2026, 6, 1, 12, 0)
    trigger = schedule(workspace, user, "*/10 * * * *", start=t0 - timedelta(seconds=1))
    assert trigger.config["misfire"]["policy"] == "catch_up"  # the block's default, stored
    result = trigger_tick(now=t0 + timedelta(minutes=65))  # the scheduler was down an hour
    assert result.fired == 1 and result.outcomes["skipped_misfire"] == 6
    assert fired(trigger) == [t0 + timedelta(minutes=60)]  # the latest missed fire
    assert trigger_tick(now=t0 + timedelta(minutes=66)).fired == 0  # and not again


@pytest.mark.django_db
def test_restart_catches_up_at_most_n_and_never_repeats(workspace, user):
    t0 = at(2026, 6, 1, 12, 0)
    trigger = schedule(
        workspace,
        user,
        "*/10 * * * *",
        start=t0 - timedelta(seconds=1),
        misfire={"policy": "catch_up", "max_catch_up": 2},
    )
    assert trigger_tick(now=t0 + timedelta(seconds=2)).fired == 1  # on time, then "crash"
    # Restarted 45 minutes later: 12:10..12:40 were missed; the latest two are caught up.
    result = trigger_tick(now=t0 + timedelta(minutes=45))
    assert result.fired == 2 and result.outcomes["skipped_misfire"] == 2
    assert fired(trigger) == [t0, t0 + timedelta(minutes=30), t0 + timedelta(minutes=40)]
    run_ticks(t0 + timedelta(minutes=46), t0 + timedelta(minutes=61))
    assert fired(trigger)[-2:] == [t0 + timedelta(minutes=50), t0 + timedelta(minutes=60)]
    assert len(fired(trigger)) == len(set(fired(trigger))) == 5  # 12:00 again would be 6


@pytest.mark.django_db
def test_overlap_skip_allow_and_queue(workspace, user):
    t0 = at(2026, 6, 1, 12, 0)
    kw = {"start": t0 - timedelta(seconds=1)}
    skip = schedule(workspace, user, "* * * * *", overlap={"policy": "skip"}, **kw)
    allow = schedule(
        workspace, user, "*/1 * * * *", overlap={"policy": "allow", "max_instances": 2}, **kw
    )
    queue = schedule(
        workspace, user, "0-59 * * * *", overlap={"policy": "queue", "max_instances": 1}, **kw
    )
    for minute in range(3):  # nothing finishes: every run stays queued
        trigger_tick(now=t0 + timedelta(minutes=minute, seconds=1))
    assert len(fired(skip)) == 1
    assert TriggerFire.objects.filter(trigger=skip, outcome="skipped_overlap").count() == 2
    assert len(fired(allow)) == 2
    assert len(fired(queue)) == 1
    queue.refresh_from_db()
    assert queue.next_fire_at == t0 + timedelta(minutes=1)  # the second run waits
    Execution.objects.filter(trigger=queue).update(status=Execution.Status.SUCCEEDED)
    trigger_tick(now=t0 + timedelta(minutes=3, seconds=5))  # late, but queued: it fires
    assert fired(queue) == [t0, t0 + timedelta(minutes=1)]


@pytest.mark.django_db
def test_unpublished_workflows_do_not_fire(workspace, user):
    from apps.workflows.services import workflow_unpublish

    t0 = at(2026, 6, 1, 12, 0)
    trigger = schedule(workspace, user, "* * * * *", start=t0 - timedelta(seconds=1))
    workflow_unpublish(workflow=trigger.workflow, actor=user)
    assert trigger_tick(now=t0 + timedelta(seconds=1)).claimed == 0
    assert not Execution.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_once_never_fire_a_run_twice(workspace, user):
    t0 = at(2026, 6, 1, 12, 0)
    triggers = [
        schedule(workspace, user, "* * * * *", start=t0 - timedelta(seconds=1)) for _ in range(40)
    ]
    barrier = threading.Barrier(2)
    results: list[TickResult] = []
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            barrier.wait()
            results.append(trigger_tick(now=t0 + timedelta(seconds=1), batch=7))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r.fired for r in results) == 40
    assert TriggerFire.objects.count() == 40 == Execution.objects.count()
    for trigger in triggers:
        assert fired(trigger) == [t0]
    if connection.vendor == "postgresql":
        # With SKIP LOCKED both schedulers did part of the work (neither waited for the other).
        assert all(r.claimed for r in results), [r.claimed for r in results]


@pytest.mark.django_db
def test_a_busy_tick_asks_for_one_helper_at_a_time(workspace, user):
    from django.core.cache import cache

    from apps.triggers.scheduler import MAX_HELPERS, tick_helper_done

    cache.delete("triggers:tick:helpers")
    t0 = at(2026, 6, 1, 12, 0)
    for _ in range(5):
        schedule(workspace, user, "* * * * *", start=t0 - timedelta(seconds=1))
    result = trigger_tick(now=t0 + timedelta(seconds=1), batch=2, fan_out=True)
    assert result.fired == 5
    assert cache.get("triggers:tick:helpers") == 1  # one helper sent (it shares the burst)
    for minute in range(1, MAX_HELPERS + 3):  # each tick finds a full batch, none finishes
        trigger_tick(now=t0 + timedelta(minutes=minute, seconds=1), batch=1, fan_out=True)
    assert cache.get("triggers:tick:helpers") == MAX_HELPERS  # never more in flight
    tick_helper_done()
    assert cache.get("triggers:tick:helpers") == MAX_HELPERS - 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("down_from", "back_at", "fire"),
    [
        # Spring forward (29 March): 02:30 does not exist; the one fire is at 03:00 CEST.
        (at(2026, 3, 28, 23, 0), at(2026, 3, 29, 4, 10), at(2026, 3, 29, 1, 0)),
        # Fall back (25 October): 02:30 happens twice; the one fire is the first, CEST.
        (at(2026, 10, 24, 22, 0), at(2026, 10, 25, 4, 10), at(2026, 10, 25, 0, 30)),
    ],
)
def test_a_dst_change_during_an_outage_is_caught_up_once(workspace, user, down_from, back_at, fire):
    daily = schedule(workspace, user, "30 2 * * *", tz=BERLIN, start=down_from)
    hourly = schedule(workspace, user, "0 * * * *", tz=BERLIN, start=down_from)
    result = trigger_tick(now=back_at)  # the scheduler was down across the change
    assert fired(daily) == [fire]
    assert fired(hourly) == [at(back_at.year, back_at.month, back_at.day, 4, 0)]  # the latest
    assert result.fired == 2
    assert trigger_tick(now=back_at + timedelta(seconds=30)).fired == 0
