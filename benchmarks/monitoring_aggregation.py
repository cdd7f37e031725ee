"""The Monitoring page's API on 1,000,000 runs and 3,000,000 steps in PostgreSQL.

    .venv/bin/python -m benchmarks.monitoring_aggregation [--runs 1000000] [--steps-per-run 3]
        [--repeat 5] [--keep] [--no-rollup]

Creates a throwaway database (``BENCH_DATABASE_URL``, default ``flowplane_monitoring_bench``
on 127.0.0.1; dropped and created again), migrates it and fills it in SQL with
``INSERT ... SELECT generate_series``: one workspace, 20 workflows, ``--runs`` runs created
over the last 30 days (85 % succeeded, 10 % failed, 3 % cancelled, 1 % waiting, 1 % queued
and never claimed, so not started; durations 50 ms .. 60 s) and ``--steps-per-run`` steps
each over 8 block types (a failed run's last step failed, with an error message). Then it
runs the monitoring rollup (the beat task's body, apps/workflows/monitoring/rollup.py) over
everything finished and reports its time (``--no-rollup``: skip it, to time the raw-row
queries alone), and vacuums its tables as autovacuum would. Then, for the page's
ranges (24 h, 7 d, 30 d), it times every request the Monitoring page makes (timeline,
workflows, blocks, failing-nodes, backlog) through Django's test client with a real bearer
token: one warm-up, then the median of ``--repeat`` loads. The page sends them in parallel;
the figure given is their *sum*.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowplane_monitoring_bench"
)
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query text in memory
sys.path.insert(0, str(ROOT))

ENDPOINTS = ["timeline", "workflows", "blocks", "failing-nodes", "backlog"]
RANGES = {"24 h": 1, "7 d": 7, "30 d": 30}
BLOCKS = ["http_request", "transform", "delay", "code", "filter", "email", "llm", "switch"]

RUNS_SQL = """
INSERT INTO workflows_execution (id, workspace_id, workflow_id, parent_step, rerun_from_node,
    mode, status, priority, attempt, input, resumes, cancel_requested, lease_owner, deliveries,
    trace_context, created_at, started_at, finished_at)
SELECT gen_random_uuid(), %(ws)s, (%(workflows)s::uuid[])[1 + g %% 20], '', '', 'webhook',
    CASE WHEN r < 0.85 THEN 'succeeded' WHEN r < 0.95 THEN 'failed'
         WHEN r < 0.98 THEN 'cancelled' WHEN r < 0.99 THEN 'waiting' ELSE 'queued' END,
    1, 1, '{}', '{}', false, '', 0, '', c, CASE WHEN r < 0.99 THEN c + interval '5 ms' END,
    CASE WHEN r < 0.98 THEN c + interval '5 ms'
        + (50 + (g %% 20) * 40 + 3000 * power(random(), 6)) * interval '1 ms' END
FROM (SELECT g, random() AS r, now() - random() * interval '30 days' AS c
      FROM generate_series(1, %(runs)s) g) src
ORDER BY c  -- rows land in the table in time order, as runs do
"""
STEPS_SQL = """
INSERT INTO workflows_executionstep (execution_id, node_id, item_key, block_type, block_version,
    status, attempts, meta, started_at, finished_at, error)
SELECT e.id, 'node_' || k, '',
    (%(blocks)s::text[])[1 + (k + abs(hashtext(e.workflow_id::text))) %% 8],
    1, CASE WHEN e.status = 'failed' AND k = %(steps)s THEN 'failed' ELSE 'succeeded' END,
    1, '{}', e.started_at, e.started_at + (e.finished_at - e.started_at) / %(steps)s,
    CASE WHEN e.status = 'failed' AND k = %(steps)s
         THEN '{"message": "HTTP 502 from upstream", "code": "http_error"}'::jsonb END
FROM workflows_execution e CROSS JOIN generate_series(1, %(steps)s) k
WHERE e.status IN ('succeeded', 'failed')
ORDER BY e.created_at, k
"""


def recreate_database() -> None:
    import psycopg

    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)


def fill(runs: int, steps: int) -> tuple[str, str]:
    """The rows; returns the workspace id and an API token of its owner."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.workflows.models import Workflow
    from apps.workspaces.models import Membership, Role, Workspace
    from apps.workspaces.services import api_token_create

    user = get_user_model().objects.create_user(username="bench", password="bench-pass")  # noqa: S106
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    workflows = [
        str(Workflow.objects.create(workspace=workspace, name=f"Flow {i:02}").id) for i in range(20)
    ]
    _, token = api_token_create(user=user, name="bench")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(RUNS_SQL, {"ws": workspace.id, "workflows": workflows, "runs": runs})
        print(f"{runs} runs inserted in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        cursor.execute(STEPS_SQL, {"blocks": BLOCKS, "steps": steps})
        print(f"{cursor.rowcount} steps inserted in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:  # index-only scans need the visibility map
        cursor.execute("VACUUM ANALYZE workflows_execution")
        cursor.execute("VACUUM ANALYZE workflows_executionstep")
    return str(workspace.id), token


def rollup() -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from apps.workflows.models import RunRollup, StepRollup
    from apps.workflows.monitoring.rollup import rollup_tick

    started = time.perf_counter()
    # A tick stops after its time budget (the next beat tick goes on): tick until caught up
    # (the watermark then trails now by the grace only).
    spans = []
    while tick := rollup_tick():
        spans.append(tick)
        if timezone.now() - tick[1] < timedelta(hours=1):
            break
    elapsed = time.perf_counter() - started
    span = (spans[0][0], spans[-1][1]) if spans else None
    rows = RunRollup.objects.count(), StepRollup.objects.count()
    with connection.cursor() as cursor:  # as autovacuum would after the first fill
        for table in ("runrollup", "steprollup", "nodefailurerollup"):
            for level in ("", "day"):
                cursor.execute(f"VACUUM ANALYZE workflows_{table}{level}")
    print(
        f"rollup of runs finished in {span}: {elapsed:.1f} s in {len(spans)} ticks "
        f"-> {rows} run/step rollup rows"
    )


def measure(workspace: str, token: str, repeat: int) -> None:
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    print("\n| range | " + " | ".join(ENDPOINTS) + " | page load (sum) |")
    print("| --- |" + " ---: |" * (len(ENDPOINTS) + 1))
    for label, days in RANGES.items():
        end = timezone.now()
        params = {
            "workspace": workspace,
            "from": (end - timedelta(days=days)).isoformat(),
            "to": end.isoformat(),
        }
        times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        for attempt in range(repeat + 1):
            for name in ENDPOINTS:
                started = time.perf_counter()
                response = client.get(f"/api/v1/monitoring/{name}/", params)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.content
                if attempt:  # the first load warms caches and connections
                    times[name].append(elapsed)
        medians = [statistics.median(times[name]) for name in ENDPOINTS]
        cells = " | ".join(f"{m:.0f} ms" for m in medians)
        print(f"| {label} | {cells} | **{sum(medians):.0f} ms** |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--steps-per-run", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the filled database")
    parser.add_argument("--no-rollup", action="store_true", help="time the raw-row queries")
    args = parser.parse_args()
    if not args.keep:
        recreate_database()
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host
    if args.keep:
        from apps.workspaces.models import Workspace
        from apps.workspaces.services import api_token_create

        workspace = Workspace.objects.get(slug="bench")
        user = workspace.memberships.get().user
        ids = (str(workspace.id), api_token_create(user=user, name="bench")[1])
    else:
        ids = fill(args.runs, args.steps_per_run)
    if not args.no_rollup:
        rollup()
    measure(*ids, args.repeat)


if __name__ == "__main__":
    main()
