"""What the fault suite starts itself: an HTTP peer that counts side effects by idempotency
key (and can kill a worker by PID when a step reaches it), a Redis server of its own, graphs.

Every wait is bounded; every process started here is stopped by the test that started it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import redis

# The fault tests take their HTTP peer from here; it is the shared test server's.
from apps.connectors.outbound.testing import CountingServer  # noqa: F401
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.services import workflow_publish
from apps.workflows.tests.factories import WorkflowFactory

# Tests' HTTP peers are on 127.0.0.1 (allow-listed); short leases so dead workers are found
# within seconds.
WORKER_ENV = {"OUTBOUND_ALLOWLIST": "127.0.0.1", "EXECUTION_LEASE_SECONDS": "2"}


def node(id_: str, type_: str, **config: object) -> dict:
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def call_graph(url: str, path: str, *, after: int = 2) -> dict:
    """start -> before -> call (a POST with an idempotency key) -> after_1..after_n."""
    nodes = [
        node("start", "manual_trigger"),
        node("before", "transform", mapping={"n": "{{ trigger.n }}"}),
        node(
            "call",
            "http_request",
            url=f"{url}{path}",
            method="POST",
            idempotency_header="Idempotency-Key",
        ),
    ]
    nodes += [
        node(f"after_{i}", "transform", mapping={"n": "{{ nodes.before.output.n }}"})
        for i in range(1, after + 1)
    ]
    ids = [n["id"] for n in nodes]
    return {
        "nodes": nodes,
        "edges": [
            {"id": f"e{a}-{b}", "source": a, "target": b} for a, b in itertools.pairwise(ids)
        ],
    }


def schedule_graph(url: str, path: str, **config: object) -> dict:
    """call_graph started by a schedule trigger with `config` (cron, timezone, misfire...)."""
    graph = call_graph(url, path)
    graph["nodes"][0] = node("start", "schedule_trigger", **config)
    return graph


def start_beat() -> subprocess.Popen:
    """A real celery beat on the database scheduler, sending the trigger tick every second
    (the row its migration creates is gone after a test database flush). Output goes to
    var/test-beat.log."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from config.env import var_path
    from tests.worker import ROOT, worker_env

    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Trigger tick (schedules and polling)",
        defaults={
            "task": "triggers.tick",
            "interval": every,
            "queue": "triggers",
            "expire_seconds": 5,
            "enabled": True,
        },
    )
    with var_path("test-beat.log").open("a") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "-S",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--pidfile=",
            ],
            cwd=ROOT,
            env=worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_beat(proc: subprocess.Popen) -> None:
    kill_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.wait(timeout=10)


def published(workspace, user, graph: dict):  # type: ignore[no-untyped-def]
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    return workflow


def all_finished(ids: list) -> bool:
    return not Execution.objects.filter(pk__in=ids).exclude(status__in=Execution.FINISHED).exists()


def step_counts(execution_id: object) -> Counter:
    return Counter(
        ExecutionStep.objects.filter(execution_id=execution_id).values_list("node_id", flat=True)
    )


def kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, sig)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of the suite's own on a free port, with no persistence: a restart
    empties it. Never the machine's shared Redis."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="fp-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("own redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def messages(self) -> int:
        """Messages held: queued (kombu's queues are lists) or delivered and unacked. A worker
        reconnecting declares its queues' bindings at once, so an emptied server is one with
        no messages, not one with no keys."""
        client = redis.Redis(host="127.0.0.1", port=self.port)
        queued = sum(client.llen(key) for key in client.scan_iter(_type="list"))
        return queued + client.hlen("unacked")


@contextmanager
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(server.dir, ignore_errors=True)


class OwnPostgres:
    """A PostgreSQL cluster of the suite's own (initdb in a temp dir, a free port, run as the
    `postgres` user when the suite runs as root). Never the machine's shared server."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found in /usr/lib/postgresql")
        self.bin = bins[-1]
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fp-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/flowplane_fault"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self.as_postgres, *args],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE flowplane_fault")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=50"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop"
        )

    def destroy(self) -> None:
        with suppress(subprocess.SubprocessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    try:
        server.init()
        yield server
    finally:
        server.destroy()
