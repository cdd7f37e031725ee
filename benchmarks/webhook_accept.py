"""Durable webhook accept: signed requests at concurrency 32 against a real server process.

    .venv/bin/python benchmarks/webhook_accept.py [--requests 20000] [--concurrency 32]
        [--web-workers 2] [--threads 8] [--worker-concurrency 1] [--no-worker]
        [--append-results]

Runs gunicorn (gthread, keep-alive) for ``config.wsgi`` on 127.0.0.1 against PostgreSQL and
Redis (broker and cache), with a Celery worker for executions on the same machine, and sends
GitHub-signed deliveries (``X-Hub-Signature-256``, a unique ``X-GitHub-Delivery`` each) from
an asyncio client with ``--concurrency`` keep-alive connections. Reports requests per second,
p50/p99 latency and the status codes, then proves durability: every 202 names an execution,
the database holds exactly one execution and one delivery per accepted request, none extra;
with the worker it also waits for the backlog to drain and counts the finished executions.

Services: ``BENCH_DATABASE_URL`` (default a database ``flowplane_bench_triggers`` on
127.0.0.1, created when missing), ``BENCH_BROKER_URL`` / ``BENCH_REDIS_URL`` (Redis dbs 7/8).
Target (issue 5): >= 1,000 req/s with p99 <= 50 ms on the 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowplane_bench_triggers"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SECRET = "bench-github-secret"  # noqa: S105 (a throwaway benchmark trigger's secret)
TARGET_RPS, TARGET_P99_MS = 1000.0, 50.0


def service_env(settings: str = "config.settings.local") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": DB_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=service_env(),
        check=True,
    )


def setup_trigger() -> tuple[str, str]:
    """A published workflow with a GitHub-verified webhook; returns (trigger id, token)."""
    os.environ.update(service_env())
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from apps.triggers.models import Trigger
    from apps.triggers.services import trigger_secret_rotate
    from apps.triggers.tests.factories import published_workflow
    from apps.workspaces.services import workspace_create

    user, _ = get_user_model().objects.get_or_create(username="bench-webhooks")
    workspace = workspace_create(owner=user, name=f"bench {uuid.uuid4().hex[:8]}")
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        name="bench",
        config={
            "verification": {"preset": "github"},
            "rate_limit": {"limit": 1000000, "per_s": 60},
        },
    )
    trigger = Trigger.objects.get(workflow=workflow)
    trigger_secret_rotate(trigger=trigger, secret=SECRET)
    from django.db import connections

    connections.close_all()
    return str(trigger.pk), trigger.webhook_token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(cmd: list[str], log: Path, settings: str = "config.settings.local") -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=service_env(settings),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_http(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(
                    b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the web server did not come up")


BODY = json.dumps(
    {
        "action": "opened",
        "number": 1347,
        "pull_request": {
            "id": 1,
            "title": "Amazing new feature",
            "user": {"login": "octocat", "id": 1},
            "body": "Please pull these awesome changes in!" * 10,
            "head": {"ref": "new-topic"},
            "base": {"ref": "main"},
        },
        "repository": {"id": 1296269, "full_name": "octocat/Hello-World"},
        "sender": {"login": "octocat", "id": 1},
    }
).encode()
SIGNATURE = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


async def client(port: int, path: str, jobs: asyncio.Queue, results: list) -> None:
    """One keep-alive connection sending signed deliveries until the jobs run out."""
    reader = writer = None
    while True:
        try:
            jobs.get_nowait()
        except asyncio.QueueEmpty:
            break
        request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n"
            f"X-Hub-Signature-256: {SIGNATURE}\r\nX-GitHub-Event: pull_request\r\n"
            f"X-GitHub-Delivery: {uuid.uuid4()}\r\n\r\n"
        ).encode() + BODY
        started = time.perf_counter()
        for attempt in range(2):
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                break
            except (OSError, asyncio.IncompleteReadError):
                writer = None
                if attempt:
                    raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {
            k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        results.append((status, time.perf_counter() - started, body))
        if headers.get("connection", "").lower() == "close":
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def load(port: int, path: str, total: int, concurrency: int) -> tuple[list, float]:
    jobs: asyncio.Queue = asyncio.Queue()
    for i in range(total):
        jobs.put_nowait(i)
    results: list = []
    started = time.perf_counter()
    await asyncio.gather(*(client(port, path, jobs, results) for _ in range(concurrency)))
    return results, time.perf_counter() - started


def verify(trigger_id: str, accepted_ids: list[str]) -> dict[str, int]:
    from apps.triggers.models import WebhookDelivery
    from apps.workflows.models import Execution

    rows = set(
        map(str, Execution.objects.filter(trigger_id=trigger_id).values_list("pk", flat=True))
    )
    deliveries = WebhookDelivery.objects.filter(trigger_id=trigger_id).count()
    return {
        "accepted": len(accepted_ids),
        "distinct_ids": len(set(accepted_ids)),
        "execution_rows": len(rows),
        "delivery_rows": deliveries,
        "accepted_without_row": len(set(accepted_ids) - rows),
        "rows_not_accepted": len(rows - set(accepted_ids)),
    }


def drain(trigger_id: str, timeout: float) -> dict[str, float]:
    from django.db.models import Count

    from apps.workflows.models import Execution

    started = time.monotonic()
    while True:
        counts = dict(
            Execution.objects.filter(trigger_id=trigger_id)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        pending = counts.get("queued", 0) + counts.get("running", 0)
        if not pending or time.monotonic() - started > timeout:
            return {"drain_s": round(time.monotonic() - started, 1), **counts}
        time.sleep(1)


def run_baseline(args: argparse.Namespace) -> str:
    """req/s and p99 of a bare Django view inserting one row, and of the same plus a send."""
    import psycopg

    table = "bench_webhook_baseline"  # benchmarks/webhook_baseline_urls.py

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, "
            "body jsonb, at timestamptz DEFAULT now())"
        )
        conn.execute(f"TRUNCATE {table}")
    port = free_port()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.web_workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--backlog",
            "2048",
        ],
        logs / "webhook_baseline.log",
        settings="benchmarks.webhook_baseline",
    )
    lines = []
    try:
        wait_http(port)
        for path in ("/bench/insert", "/bench/insert-send"):
            asyncio.run(load(port, path, min(500, args.requests), args.concurrency))
            results, elapsed = asyncio.run(load(port, path, args.requests, args.concurrency))
            latencies = sorted(r[1] * 1000 for r in results)
            ok = sum(1 for r in results if r[0] == 202)
            lines.append(
                f"baseline {path}: {len(results) / elapsed:,.0f} req/s, "
                f"p50 {statistics.median(latencies):.1f} ms, "
                f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms, "
                f"{ok} x 202\n"
            )
    finally:
        stop(web)
        from config.celery import app as celery_app

        with celery_app.connection_for_write() as conn, contextlib.suppress(Exception):
            conn.default_channel.queue_purge("bench_baseline")
    return "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--append-results", action="store_true")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="first measure a bare insert view and insert + Celery send",
    )
    args = parser.parse_args()

    os.environ.update(service_env())  # before anything reads Django settings
    ensure_database()
    baseline = run_baseline(args) if args.baseline else ""
    trigger_id, token = setup_trigger()
    from config.celery import app as celery_app

    # Messages left by an earlier run (a queue never declared has nothing to purge).
    with celery_app.connection_for_write() as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_purge("executions")
    port = free_port()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.web_workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--backlog",
            "2048",
        ],
        logs / "webhook_web.log",
    )
    worker = None
    if not args.no_worker:
        worker = start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "executions",
                "-c",
                str(args.worker_concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            logs / "webhook_worker.log",
        )
    try:
        wait_http(port)
        path = f"/hooks/{token}"
        asyncio.run(load(port, path, min(500, args.requests), args.concurrency))  # warm-up
        from django.db import connection

        from apps.workflows.models import Execution

        warm = set(
            map(str, Execution.objects.filter(trigger_id=trigger_id).values_list("pk", flat=True))
        )
        connection.close()
        results, elapsed = asyncio.run(load(port, path, args.requests, args.concurrency))
    finally:
        stop(web)
    codes: dict[int, int] = {}
    for status, _, _ in results:
        codes[status] = codes.get(status, 0) + 1
    latencies = sorted(r[1] * 1000 for r in results)
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    rps = len(results) / elapsed
    accepted = [json.loads(body)["execution_id"] for status, _, body in results if status == 202]
    check = verify(trigger_id, [*accepted, *warm])
    check["accepted"] -= len(warm)
    drained: dict[str, float] = {}
    if worker is not None:
        drained = drain(trigger_id, args.drain_timeout)
        stop(worker)
    ok = (
        check["accepted_without_row"] == 0
        and check["rows_not_accepted"] == 0
        and check["execution_rows"] == check["delivery_rows"] == len(accepted) + len(warm)
        and check["distinct_ids"] == len(accepted) + len(warm)
    )
    report = baseline + (
        f"webhook accept: {len(results)} requests, "
        f"concurrency {args.concurrency}, "
        f"gunicorn {args.web_workers}x{args.threads} gthread, "
        f"{'worker -c ' + str(args.worker_concurrency) if worker else 'no worker'}\n"
        f"  {rps:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, statuses {codes}\n"
        f"  durability {'OK' if ok else 'FAILED'}: {check}\n"
        + (f"  backlog: {drained}\n" if drained else "")
        + f"  target >= {TARGET_RPS:,.0f} req/s and p99 <= {TARGET_P99_MS:.0f} ms: "
        f"{'met' if rps >= TARGET_RPS and p99 <= TARGET_P99_MS else 'NOT met'}"
    )
    print(report)
    if args.append_results:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        with (ROOT / "benchmarks" / "RESULTS.md").open("a") as out:
            out.write(f"\n<!-- webhook_accept.py, {stamp}, {machine} -->\n```\n{report}\n```\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
