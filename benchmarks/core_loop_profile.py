"""Where the core loop's CPU goes, in one process: accepting a webhook, and running a run.

    .venv/bin/python -m benchmarks.core_loop_profile [--runs 2000] [--top 25]

Against PostgreSQL and Redis as webhook_accept.py sets them up (`BENCH_DATABASE_URL`,
`BENCH_BROKER_URL`, `BENCH_REDIS_URL`; the database is created and migrated when missing).
It publishes the benchmark's four-node workflow (webhook trigger -> transform -> condition
-> transform) and measures, with the process's own CPU clock so that other load on the
machine disturbs it little:
1. accept: `--runs` POSTs to the webhook URL through Django's test client (the full view,
   middleware and the one-round-trip INSERT; no HTTP server);
2. run: `--runs` queued executions drained by `execution_drain` in this process (claim,
   engine, checkpoints and outcome: what a worker process does per run, minus Celery).
Each part is reported as wall and CPU milliseconds per run, then profiled once with cProfile
(CPU clock) for its `--top` functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.webhook_accept import ensure_database, service_env  # noqa: E402

GRAPH = {
    "nodes": [
        {"id": "hook", "type": "webhook_trigger", "data": {"config": {}}},
        {
            "id": "set1",
            "type": "transform",
            "data": {
                "config": {
                    "mapping": {"name": "{{ trigger.body.name }}", "n": "{{ trigger.body.value }}"}
                }
            },
        },
        {
            "id": "if",
            "type": "condition",
            "data": {"config": {"expression": "{{ nodes.set1.output.n > `5` }}"}},
        },
        {"id": "set2", "type": "transform", "data": {"config": {"mapping": {"big": True}}}},
    ],
    "edges": [
        {"id": "a", "source": "hook", "target": "set1"},
        {"id": "b", "source": "set1", "target": "if"},
        {"id": "c", "source": "if", "target": "set2", "sourceHandle": "true"},
    ],
}
BODY = json.dumps({"name": "bench", "value": 42})


def timed(label: str, runs: int, work: Callable[[], None]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}: {wall / runs * 1000:.2f} ms wall, {cpu / runs * 1000:.2f} ms CPU per run")


def profiled(label: str, work: Callable[[], None], top: int) -> None:
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    work()
    profile.disable()
    print(f"\n{label}, by own CPU time:")
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ.update(service_env())  # before anything reads Django settings
    ensure_database()
    import django

    django.setup()
    from django.test import Client

    from apps.triggers.models import Trigger
    from apps.workflows.runtime.run import execution_drain
    from apps.workflows.services import workflow_create, workflow_publish
    from apps.workspaces.models import Workspace

    workspace = Workspace.objects.get_or_create(slug="profile", defaults={"name": "Profile"})[0]
    workflow = workflow_create(workspace=workspace, name=f"profile-{time.time():.0f}", graph=GRAPH)
    workflow_publish(workflow=workflow, published_by=None)
    url = f"/hooks/{Trigger.objects.get(workflow=workflow).webhook_token}"
    client = Client(HTTP_HOST="127.0.0.1")

    def accept(n: int) -> Callable[[], None]:
        def post() -> None:
            for _ in range(n):
                assert client.post(url, BODY, content_type="application/json").status_code == 202

        return post

    def drain() -> None:
        execution_drain(budget_s=3600, linger_s=0)

    accept(200)()  # warm: caches, connections
    drain()
    print(f"{args.runs} four-node runs of one workflow, PostgreSQL, load {os.getloadavg()[0]:.2f}")
    timed("accept (webhook view, test client)", args.runs, accept(args.runs))
    timed("run (claim, engine, checkpoints, outcome)", args.runs, drain)
    profiled("accept", accept(args.runs // 4), args.top)
    profiled("run", drain, args.top)


if __name__ == "__main__":
    main()
