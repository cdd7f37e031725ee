"""10,000 active cron triggers fired by the real beat + worker, across a scheduler restart.

    .venv/bin/python benchmarks/cron_10k.py [--triggers 10000] [--minutes 4]
        [--restart-after 90] [--down 15] [--append-results]

Creates ``--triggers`` schedule triggers in several IANA zones (10 % every minute, the rest
hourly at a spread-out minute, so about 1,170 runs fall due at each minute boundary), starts
``celery beat`` (database scheduler: the one ``triggers.tick`` row, every second) and a
worker for the ``triggers`` queue (two processes, so ticks overlap and split the work with
SKIP LOCKED), kills both with SIGKILL a few seconds before the first minute boundary after
``--restart-after`` seconds, keeps them down for ``--down`` seconds and starts them again.
Then it compares, for every trigger, the runs croniter says were due in the window with the
fires recorded: missed, duplicated, and how late each fire was (its row's ``created_at``
minus its ``scheduled_for``). Runs due while the scheduler was down are reported apart:
they must fire once after the restart (misfire policy ``catch_up``), necessarily late.

Services as in webhook_accept.py (``BENCH_DATABASE_URL``, ``BENCH_BROKER_URL``).
Target (issue 5): every due run within 2 s of its time, none twice, none missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.webhook_accept import ensure_database, service_env, start, stop  # noqa: E402

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
TARGET_LATE_S = 2.0


def expression(i: int) -> str:
    return "* * * * *" if i % 10 == 0 else f"{(i * 7) % 60} * * * *"


def setup(count: int, first_after: dt.datetime) -> str:
    """Bulk-create the triggers on one published workflow; returns the workflow id."""
    from django.contrib.auth import get_user_model

    from apps.triggers import cron
    from apps.triggers.models import Trigger
    from apps.triggers.registry import trigger_registry
    from apps.triggers.tests.factories import published_workflow
    from apps.workflows.models import Execution
    from apps.workspaces.models import Workspace
    from apps.workspaces.services import workspace_create

    Execution.objects.filter(workspace__name__startswith="bench cron").delete()
    Workspace.objects.filter(name__startswith="bench cron").delete()
    user, _ = get_user_model().objects.get_or_create(username="bench-cron")
    workspace = workspace_create(owner=user, name=f"bench cron {int(time.time())}")
    spec = trigger_registry.for_block("schedule_trigger")
    base = {
        "misfire": {"policy": "catch_up", "max_catch_up": 5, "grace_s": 60},
        "overlap": {"policy": "allow", "max_instances": 100},
    }
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        name="bench cron",
        block_type="schedule_trigger",
        config={"cron": "0 0 1 1 *", **base},
    )
    Trigger.objects.filter(workflow=workflow).update(is_active=False, next_fire_at=None)
    rows = []
    for i in range(count):
        zone = ZONES[i % len(ZONES)]
        config = spec.resolved({"cron": expression(i), "timezone": zone, **base})
        rows.append(
            Trigger(
                workspace=workspace,
                workflow=workflow,
                node_id=f"s{i}",
                kind="schedule",
                config=config,
                is_active=True,
                next_fire_at=cron.next_after(config["cron"], zone, first_after),
            )
        )
    Trigger.objects.bulk_create(rows, batch_size=1000)
    return str(workflow.pk)


def analyse(
    workflow_id: str,
    window_start: dt.datetime,
    window_end: dt.datetime,
    down: tuple[dt.datetime, dt.datetime],
) -> dict:
    from apps.triggers import cron
    from apps.triggers.models import Trigger, TriggerFire

    triggers = list(
        Trigger.objects.filter(workflow_id=workflow_id, node_id__startswith="s").values_list(
            "pk", "config"
        )
    )
    fires: dict = {}
    for trigger_id, scheduled_for, created_at, outcome in (
        TriggerFire.objects.filter(
            trigger__workflow_id=workflow_id,
            scheduled_for__gte=window_start,
            scheduled_for__lte=window_end,
        )
        .values_list("trigger_id", "scheduled_for", "created_at", "outcome")
        .iterator(chunk_size=5000)
    ):
        fires.setdefault((trigger_id, scheduled_for), []).append((created_at, outcome))
    expected = set()
    for trigger_id, config in triggers:
        at = window_start - dt.timedelta(microseconds=1)
        while True:
            at = cron.next_after(config["cron"], config["timezone"], at)
            if at > window_end:
                break
            expected.add((trigger_id, at))
    missed = [key for key in expected if key not in fires]
    extra = [key for key in fires if key not in expected]
    doubled = [key for key, rows in fires.items() if len(rows) > 1]
    late_up, late_down = [], []
    for (_, scheduled_for), rows in fires.items():
        lateness = (rows[0][0] - scheduled_for).total_seconds()
        (late_down if down[0] <= scheduled_for <= down[1] else late_up).append(lateness)
    late_up.sort()
    outcomes: dict[str, int] = {}
    for rows in fires.values():
        for _, outcome in rows:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))] if values else 0.0

    return {
        "expected": len(expected),
        "fired": len(fires),
        "missed": len(missed),
        "unexpected": len(extra),
        "duplicates": len(doubled),
        "outcomes": outcomes,
        "up_fires": len(late_up),
        "late_p50_s": round(statistics.median(late_up), 3) if late_up else 0.0,
        "late_p99_s": round(pct(late_up, 0.99), 3),
        "late_max_s": round(max(late_up or [0]), 3),
        "within_2s": round(
            sum(1 for v in late_up if v <= TARGET_LATE_S) / max(1, len(late_up)) * 100, 2
        ),
        "down_fires": len(late_down),
        "down_late_max_s": round(max(late_down or [0]), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triggers", type=int, default=10000)
    parser.add_argument("--minutes", type=float, default=4)
    parser.add_argument("--restart-after", type=float, default=90)
    parser.add_argument("--down", type=float, default=15)
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=4,
        help="worker processes on the triggers queue (ticks and helper ticks)",
    )
    parser.add_argument("--append-results", action="store_true")
    args = parser.parse_args()

    os.environ.update(service_env())
    ensure_database()
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    from config.celery import app as celery_app

    with celery_app.connection_for_write() as conn:
        for queue in ("triggers", "executions"):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: S112 (a queue never declared has nothing to purge)
                continue
    t_setup = time.monotonic()
    first_after = timezone.now() + dt.timedelta(seconds=20)
    workflow_id = setup(args.triggers, first_after)
    setup_s = time.monotonic() - t_setup
    connections.close_all()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)

    def launch() -> tuple:
        worker = start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "triggers",
                "-c",
                str(args.worker_concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            logs / "cron_worker.log",
        )
        beat = start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "WARNING",
                "-S",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--pidfile=",
            ],
            logs / "cron_beat.log",
        )
        return worker, beat

    def kill(procs: tuple) -> None:
        import signal

        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    started = timezone.now()
    procs = launch()
    end = time.monotonic() + args.minutes * 60
    # Kill a few seconds before a minute boundary, so runs fall due while nothing runs.
    kill_at = started + dt.timedelta(seconds=args.restart_after)
    boundary = kill_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    time.sleep(
        max(
            0.0,
            (
                boundary - dt.timedelta(seconds=min(5.0, args.down / 2)) - timezone.now()
            ).total_seconds(),
        )
    )
    kill(procs)  # the scheduler dies without warning
    down_from = timezone.now()
    time.sleep(args.down)
    procs = launch()
    down_to = timezone.now() + dt.timedelta(seconds=5)  # until beat and worker are back up
    time.sleep(max(0.0, end - time.monotonic()))
    stopped = timezone.now()
    time.sleep(5)  # let the last tick commit
    for proc in procs:
        stop(proc)
    from apps.triggers.models import Trigger

    Trigger.objects.filter(workflow_id=workflow_id).update(is_active=False, next_fire_at=None)
    window_end = stopped - dt.timedelta(seconds=3)
    result = analyse(workflow_id, started, window_end, (down_from, down_to))
    ok = result["missed"] == 0 and result["duplicates"] == 0 and result["unexpected"] == 0
    met = ok and result["within_2s"] == 100.0
    report = (
        f"cron 10k: {args.triggers} active schedule triggers ({len(ZONES)} zones, 10 % every "
        f"minute, the rest hourly), beat + worker -c {args.worker_concurrency}, "
        f"run {args.minutes:g} min, "
        f"SIGKILL restart across a minute boundary, down {args.down:g} s; "
        f"setup {setup_s:.0f} s\n"
        f"  due {result['expected']}, fired {result['fired']}, missed {result['missed']}, "
        f"duplicates {result['duplicates']}, unexpected {result['unexpected']}\n"
        f"  lateness while up ({result['up_fires']} fires): p50 {result['late_p50_s']} s, "
        f"p99 {result['late_p99_s']} s, max {result['late_max_s']} s, "
        f"{result['within_2s']} % within {TARGET_LATE_S:g} s\n"
        f"  due while down: {result['down_fires']} fired once after the restart, "
        f"latest {result['down_late_max_s']} s late\n"
        f"  target (within 2 s, none twice, none missed): {'met' if met else 'NOT met'}"
    )
    print(report)
    if args.append_results:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        with (ROOT / "benchmarks" / "RESULTS.md").open("a") as out:
            out.write(f"\n<!-- cron_10k.py, {stamp}, {machine} -->\n```\n{report}\n```\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
