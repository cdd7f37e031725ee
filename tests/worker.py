"""A real Celery worker process for tests that prove work runs on a worker.

The worker runs the test settings against the same test database as the test (tests that use
it must be `transactional_db` so their rows are committed and visible to it).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from config.env import var_path

ROOT = Path(__file__).resolve().parent.parent
QUEUES = "executions,triggers,housekeeping,routing"


def worker_env() -> dict[str, str]:
    """The test process's environment, pointed at the test database and the test broker."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    # The session's embedded test broker (conftest.py), or the configured one.
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    return env


def purge_broker() -> None:
    with celery_app.connection_for_write() as conn:
        for queue in QUEUES.split(","):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: S112 (a queue never declared has nothing to purge)
                continue


def start_worker(
    *, concurrency: int = 2, queues: str = QUEUES, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start `celery worker` and wait until it is ready.

    Its output goes to var/test-worker.log, which is the place to look when a test fails.
    """
    log_path = var_path("test-worker.log")
    start = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("a") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                str(concurrency),
                "--pool",
                "prefork",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env={**worker_env(), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        _wait_ready(proc, log_path, start)
    except BaseException:
        stop_worker(proc, hard=True)
        raise
    return proc


@contextmanager
def running_worker(**options: Any) -> Iterator[subprocess.Popen]:
    """A worker for the duration of the block (see `start_worker` for the options)."""
    proc = start_worker(**options)
    try:
        yield proc
    finally:
        stop_worker(proc)


class SessionWorker:
    """The worker of the test that needs one. It is killed when that test ends: a worker left
    running would go on with the test's delayed messages while later tests flush the
    database (PostgreSQL's TRUNCATE then deadlocks with the worker's row locks)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def ensure(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            # Tests' HTTP peers are real servers on 127.0.0.1, which the SSRF guard refuses
            # unless allow-listed.
            self.proc = start_worker(env={"OUTBOUND_ALLOWLIST": "127.0.0.1"})
        return self.proc

    def stop(self, *, hard: bool = False) -> None:
        if self.proc is not None:
            stop_worker(self.proc, hard=hard)
            self.proc = None


def _wait_ready(proc: subprocess.Popen, log_path: Path, start: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with log_path.open() as log:
            log.seek(start)
            if " ready." in log.read():
                return
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}; see {log_path}")
        time.sleep(0.1)
    raise RuntimeError(f"worker did not become ready in time; see {log_path}")


def stop_worker(proc: subprocess.Popen, *, hard: bool = False) -> None:
    """Warm shutdown (SIGTERM to the main process), or SIGKILL of the whole process group as
    when a machine dies; whatever is left after a grace period is killed."""
    if proc.poll() is None:
        try:
            if hard:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.terminate()
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # pool children outliving their parent
    proc.wait(timeout=10)


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30, interval: float = 0.1) -> Any:
    """Poll `predicate` until it returns a truthy value; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def run_django_script(code: str, **env: str) -> str:
    """Run `code` in a fresh Django process on the test database; return its stdout.

    For what must happen in another process with other settings (a dead broker, say).
    """
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        text=True,
        env={**worker_env(), **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"script failed:\n{result.stderr[-3000:]}")
    return result.stdout
