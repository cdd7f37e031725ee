"""config/gunicorn.py, as `make run` starts it: the master merges the metric files of a worker
that is gone (recycled by --max-requests, or killed) into the folder's archives, so files do
not pile up and the totals go on from where they were."""

from __future__ import annotations

import os
import signal
import urllib.request

from apps.observability.tests.processes import file_pids, gunicorn, sample, scrape, worker_pids
from tests.worker import wait_for

HEALTH = {"method": "GET", "view": "health", "status_class": "2xx"}


def test_the_master_merges_the_metric_files_of_workers_that_are_gone(db, tmp_path):
    with gunicorn(tmp_path, "--max-requests", "4", "--max-requests-jitter", "0", workers=2) as (
        master,
        url,
    ):
        seen = set(worker_pids(master.pid))
        # The readiness checks (one may have timed out and still been served) and the 30 below.
        served = sample(scrape(url), "http_request_duration_seconds_count", **HEALTH) + 30
        for _ in range(30):
            with urllib.request.urlopen(f"http://{url}/health", timeout=10) as answer:
                assert answer.status == 200
            seen |= set(worker_pids(master.pid))
        # Every 4 requests a worker is recycled; its files go as soon as the master reaps it.
        wait_for(
            lambda: (
                len(worker_pids(master.pid)) == 2
                and file_pids(tmp_path) <= set(worker_pids(master.pid))
            )
        )
        gone = seen - set(worker_pids(master.pid))
        assert len(gone) >= 5
        assert (tmp_path / "histogram_archive.db").exists()

        samples = scrape(url)
        assert sample(samples, "http_request_duration_seconds_count", **HEALTH) == served

        victim = worker_pids(master.pid)[0]
        live_gauge = tmp_path / f"gauge_livesum_{victim}.db"  # as a live gauge would write
        live_gauge.touch()
        os.kill(victim, signal.SIGKILL)
        wait_for(
            lambda: (
                victim not in worker_pids(master.pid)
                and len(worker_pids(master.pid)) == 2
                and victim not in file_pids(tmp_path)
            )
        )
        assert not live_gauge.exists()  # dropped, not merged: it ended with its process
        samples = scrape(url)
        assert sample(samples, "http_request_duration_seconds_count", **HEALTH) == served
        assert (
            sample(
                samples,
                "http_request_duration_seconds_count",
                method="GET",
                view="metrics",
                status_class="2xx",
            )
            >= 1
        )
