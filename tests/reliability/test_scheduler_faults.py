"""The scheduler down for an hour (its schedules' times moved back an hour in the database,
no sleeping), and two schedulers at once: real celery beat processes sending the tick,
real workers running it and the runs it fires."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.triggers.models import Trigger, TriggerFire
from apps.workflows.models import Execution
from tests.reliability.harness import (
    WORKER_ENV,
    CountingServer,
    all_finished,
    published,
    schedule_graph,
    start_beat,
    stop_beat,
)
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]


@pytest.fixture
def server():
    peer = CountingServer()
    yield peer
    peer.close()


def _fires(trigger: Trigger, outcome: str) -> list[datetime]:
    return sorted(
        TriggerFire.objects.filter(trigger=trigger, outcome=outcome).values_list(
            "scheduled_for", flat=True
        )
    )


def test_scheduler_down_for_an_hour_catches_up_once_by_default(server, user, workspace):
    # Every 5 minutes during the previous hour only: 12 fires, all missed, none due again
    # today, so no on-time fire can mix in while the test runs.
    now = timezone.now()
    hour = (now - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    cron = f"*/5 {hour.hour} * * *"
    policies = {
        "default": None,
        "skip": {"policy": "skip"},
        "three": {"policy": "catch_up", "max_catch_up": 3},
    }
    triggers = {}
    for name, misfire in policies.items():
        config = {"cron": cron, "timezone": "UTC"} | ({"misfire": misfire} if misfire else {})
        workflow = published(workspace, user, schedule_graph(server.url, f"/{name}", **config))
        triggers[name] = Trigger.objects.get(workflow=workflow)
    # The scheduler stopped just before the hour: its last run and next fire move back.
    Trigger.objects.filter(pk__in=[t.pk for t in triggers.values()]).update(
        next_fire_at=hour, last_fired_at=hour - timedelta(minutes=5)
    )
    missed = [hour + timedelta(minutes=5 * i) for i in range(12)]

    worker = start_worker(concurrency=2, env=WORKER_ENV)
    beat = start_beat()
    try:
        wait_for(
            lambda: (
                not Trigger.objects.filter(
                    pk__in=[t.pk for t in triggers.values()], next_fire_at__lte=timezone.now()
                ).exists()
            ),
            timeout=60,
            interval=0.3,
        )
        time.sleep(3)  # three more ticks: none fires the hour again
        runs = list(
            Execution.objects.filter(trigger__in=triggers.values()).values_list("pk", flat=True)
        )
        wait_for(lambda: all_finished(runs), timeout=60, interval=0.3)
    finally:
        stop_beat(beat)
        stop_worker(worker, hard=True)

    assert _fires(triggers["default"], "fired") == missed[-1:]  # the latest missed fire
    assert _fires(triggers["skip"], "fired") == []
    assert _fires(triggers["three"], "fired") == missed[-3:]
    for name, trigger in triggers.items():
        fired = _fires(trigger, "fired")
        trigger.refresh_from_db()
        assert trigger.next_fire_at == hour + timedelta(days=1), name
        assert Execution.objects.filter(trigger=trigger).count() == len(fired), name
    assert {e.status for e in Execution.objects.filter(pk__in=runs)} == {"succeeded"}
    assert len(runs) == 4 and len(server.requests) == 4  # each fired run called once
    assert all(n == 1 for n in Counter(key for _, key in server.requests).values())


def test_two_schedulers_fire_each_run_once(server, user, workspace):
    # Once a year: after the fire set up here none is due while the test runs.
    triggers = [
        Trigger.objects.get(
            workflow=published(
                workspace, user, schedule_graph(server.url, "/tick", cron="0 0 1 1 *")
            )
        )
        for _ in range(30)
    ]
    due = (timezone.now() + timedelta(seconds=4)).replace(microsecond=0)
    Trigger.objects.filter(pk__in=[t.pk for t in triggers]).update(next_fire_at=due)

    workers = [start_worker(concurrency=2, env=WORKER_ENV) for _ in range(2)]
    beats = [start_beat() for _ in range(2)]  # both send a tick every second
    try:
        wait_for(
            lambda: TriggerFire.objects.filter(scheduled_for=due).count() >= 30,
            timeout=60,
            interval=0.3,
        )
        time.sleep(3)  # more ticks from both: none fires that time again
        runs = list(
            Execution.objects.filter(
                input__scheduled_for=due.astimezone(UTC).isoformat()
            ).values_list("pk", flat=True)
        )
        wait_for(lambda: all_finished(runs), timeout=60, interval=0.3)
    finally:
        for beat in beats:
            stop_beat(beat)
        for worker in workers:
            stop_worker(worker, hard=True)

    fires = Counter(
        TriggerFire.objects.filter(scheduled_for=due, outcome="fired").values_list(
            "trigger_id", flat=True
        )
    )
    assert fires == {t.pk: 1 for t in triggers}
    per_trigger = Counter(
        Execution.objects.filter(pk__in=runs).values_list("trigger_id", flat=True)
    )
    assert per_trigger == {t.pk: 1 for t in triggers}  # one run per trigger for that time
    assert {e.status for e in Execution.objects.filter(pk__in=runs)} == {"succeeded"}
    assert server.keys("/tick") == {f"{pk}:call": 1 for pk in runs}
