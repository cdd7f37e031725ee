"""End-to-end execution throughput and per-node cost on real PostgreSQL, Redis and workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flowplane_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 REDIS_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python -m benchmarks.execution_throughput [--runs 2000] [--chain 200]

It migrates that database, starts a Celery worker (prefork, one process per core), then
1. accepts `--runs` executions of a published three-node workflow (manual trigger ->
   transform -> transform) as fast as one client can, and reports runs per second from the
   first accept to the last finish, with every step checkpointed;
2. runs one execution of a `--chain`-node linear chain and reports milliseconds per node
   (the execution's own started/finished timestamps).
"""

import argparse
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--chain", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")

    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Max, Min

    from apps.workflows.models import Execution, Workflow
    from apps.workflows.services import execution_create, workflow_create, workflow_publish
    from apps.workspaces.models import Workspace
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("executions")
    workspace = Workspace.objects.get_or_create(slug="bench", defaults={"name": "Bench"})[0]

    def published(name: str, graph: dict) -> Workflow:
        workflow = workflow_create(workspace=workspace, name=name, graph=graph)
        workflow_publish(workflow=workflow, published_by=None)
        workflow.refresh_from_db()
        return workflow

    def chain(n: int) -> dict:
        nodes = [{"id": "start", "type": "manual_trigger", "data": {"config": {}}}]
        nodes += [
            {
                "id": f"t{i}",
                "type": "transform",
                "data": {"config": {"mapping": {"i": i, "x": "{{ trigger.x }}"}}},
            }
            for i in range(1, n)
        ]
        ids = [node["id"] for node in nodes]
        return {
            "nodes": nodes,
            "edges": [
                {"id": f"e{i}", "source": a, "target": b}
                for i, (a, b) in enumerate(itertools.pairwise(ids))
            ],
        }

    small = published("bench-3", chain(3))
    long = published(f"bench-{args.chain}", chain(args.chain))

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "executions",
            "--concurrency",
            str(args.concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "WORKSPACE_MAX_RUNNING": "0"},
    )
    try:
        time.sleep(4)
        started = time.perf_counter()
        ids = []
        for i in range(args.runs):
            with transaction.atomic():
                ids.append(execution_create(workflow=small, mode="api", input={"x": i}).pk)
        accepted = time.perf_counter()
        pending = Execution.objects.filter(pk__in=ids).exclude(status__in=Execution.FINISHED)
        while pending.exists():
            time.sleep(0.05)
        finished = time.perf_counter()
        failed = Execution.objects.filter(pk__in=ids).exclude(status="succeeded").count()
        span = Execution.objects.filter(pk__in=ids).aggregate(
            a=Min("created_at"), b=Max("finished_at")
        )
        print(
            f"{args.runs} three-node executions: accepted in {accepted - started:.2f} s, "
            f"all finished after {finished - started:.2f} s "
            f"-> {args.runs / (finished - started):.0f} executions/s end to end "
            f"(db span {(span['b'] - span['a']).total_seconds():.2f} s), {failed} not "
            f"succeeded, steps checkpointed: "
            f"{sum(Execution.objects.get(pk=i).steps.count() == 3 for i in ids[:50])}/50 "
            "sampled complete"
        )

        with transaction.atomic():
            one = execution_create(workflow=long, mode="api", input={"x": 1})
        while not Execution.objects.get(pk=one.pk).is_finished:
            time.sleep(0.05)
        one.refresh_from_db()
        per_node = (one.finished_at - one.started_at).total_seconds() * 1000 / args.chain
        print(
            f"{args.chain}-node chain on the worker: {per_node:.2f} ms per node "
            f"({one.status}, {one.steps.count()} steps recorded)"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
