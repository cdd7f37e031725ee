"""A real Celery worker process for tests that prove work runs on a worker.

The worker runs the test settings against the same test database as the test (tests that use
it must be `transactional_db` so their rows are committed and visible to it).
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
QUEUES = "executions,triggers,housekeeping,routing"


def worker_env() -> dict[str, str]:
    """The test process's environment, pointed at the test database."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["FLOWPLANE_TEST_DB"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                               f"{db['PORT'] or 5432}/{db['NAME']}")
    return env


def purge_broker() -> None:
    with celery_app.connection_for_write() as conn:
        for queue in QUEUES.split(","):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: S112 (a queue never declared has nothing to purge)
                continue


@contextmanager
def running_worker(*, concurrency: int = 2, queues: str = QUEUES) -> Iterator[subprocess.Popen]:
    """Start `celery worker`, wait until it is ready, stop it (or what is left of it) after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues,
         "--concurrency", str(concurrency), "--pool", "prefork", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        _wait_ready(proc)
        yield proc
    finally:
        stop_worker(proc)


def _wait_ready(proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}")
        if " ready." in line:
            # Keep draining output so the worker never blocks on a full pipe.
            _drain_in_background(proc)
            return
    raise RuntimeError("worker did not become ready in time")


def _drain_in_background(proc: subprocess.Popen) -> None:
    import threading

    def drain() -> None:
        assert proc.stdout is not None
        for _ in proc.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()


def stop_worker(proc: subprocess.Popen, *, hard: bool = False) -> None:
    """SIGTERM (warm shutdown) or SIGKILL the whole process group."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1):  # type: ignore[no-untyped-def]
    """Poll `predicate` until it returns a truthy value; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
