"""config/gunicorn.py, as `make run` starts it: the master drops the live-gauge metric files of
a worker that is gone, and keeps its counters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.test_triggers_e2e import free_port
from tests.worker import ROOT, wait_for, worker_env


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_the_master_drops_the_live_gauge_files_of_a_worker_that_died(db, tmp_path):
    port = free_port()
    env = {**worker_env(), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "HOST": "127.0.0.1",
           "PORT": str(port), "WEB_CONCURRENCY": "1"}
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "python:config.gunicorn"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    return True
            except OSError:
                assert master.poll() is None, "gunicorn exited"
                return False

        wait_for(up)
        [worker] = _worker_pids(master.pid)
        live = tmp_path / f"gauge_livesum_{worker}.db"  # what a live gauge of it would write
        live.write_bytes(b"")
        counters = list(tmp_path.glob(f"*_{worker}.db"))
        assert live in counters and len(counters) > 1  # the health request was counted
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: not live.exists())
        assert all(path.exists() for path in counters if path != live)
        wait_for(lambda: _worker_pids(master.pid) and _worker_pids(master.pid) != [worker])
    finally:
        master.terminate()
        master.wait(timeout=20)
