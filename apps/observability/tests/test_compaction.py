"""Compaction of dead processes' metric files, with real processes: children that write
metrics and exit or are killed with SIGKILL (apps/observability/tests/writers.py), and a real
gunicorn whose /metrics merges them away at scrape time."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time

import pytest

from apps.observability.tests.processes import file_pids, gunicorn, sample, scrape
from tests.worker import ROOT, worker_env

pytestmark = pytest.mark.django_db  # /metrics also counts executions in the test database

ACCEPTED = {"outcome": "accepted"}


def _writers(metrics, count: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "apps.observability.tests.writers", str(count), *options],
        cwd=ROOT,
        env={**worker_env(), "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
        stdout=subprocess.PIPE,
        text=True,
    )


def _run_writers(metrics, count: int, *options: str) -> set[int]:
    proc = _writers(metrics, count, *options)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    pids = {int(line) for line in out.split()}
    assert len(pids) == count
    return pids


def test_dead_processes_files_are_merged_at_scrape_and_their_totals_kept(tmp_path):
    with gunicorn(tmp_path) as (_, url):
        exited = _run_writers(tmp_path, 15)
        killed = _run_writers(tmp_path, 15, "--kill")
        # Every child left its files (the parents' too, which count nothing).
        assert exited | killed <= file_pids(tmp_path)
        files_before = len(list(tmp_path.glob("*.db")))

        samples = scrape(url)

        assert sample(samples, "webhook_deliveries_total", **ACCEPTED) == 30
        assert sample(samples, "schedule_lateness_seconds_count") == 30
        assert sample(samples, "schedule_lateness_seconds_sum") == pytest.approx(9.0)
        assert sample(samples, "schedule_lateness_seconds_bucket", le="0.5") == 30
        assert sample(samples, "schedule_lateness_seconds_bucket", le="0.1") == 0
        # Only live processes keep files of their own: everything else is in the archives.
        assert not (exited | killed) & file_pids(tmp_path)
        assert all(_alive(pid) for pid in file_pids(tmp_path))
        assert {p.name for p in tmp_path.glob("*_archive.db")} >= {
            "counter_archive.db",
            "histogram_archive.db",
        }
        assert len(list(tmp_path.glob("*.db"))) <= files_before - 60

        # Once more, and after more deaths: nothing counted twice, nothing lost.
        assert sample(scrape(url), "webhook_deliveries_total", **ACCEPTED) == 30
        _run_writers(tmp_path, 5, "--kill")
        samples = scrape(url)
        assert sample(samples, "webhook_deliveries_total", **ACCEPTED) == 35
        assert sample(samples, "schedule_lateness_seconds_bucket", le="+Inf") == 35


def test_gauges_of_dead_processes_are_merged_by_their_mode(tmp_path):
    """Children 1..5 set each mode's gauge to their number, then are gone."""
    with gunicorn(tmp_path) as (_, url):
        _run_writers(tmp_path, 5, "--gauges")
        samples = scrape(url)
        # Merged by their rule, under the labels they had (no pid label for these modes)...
        assert sample(samples, "test_gauge_max", child="any") == 5
        assert sample(samples, "test_gauge_min", child="any") == 1
        assert sample(samples, "test_gauge_sum", child="any") == 15
        assert sample(samples, "test_gauge_mostrecent", child="any") == 5
        # ...and still after another death merges into the same archives.
        _run_writers(tmp_path, 2, "--gauges", "--kill")
        samples = scrape(url)
        assert sample(samples, "test_gauge_max", child="any") == 5
        assert sample(samples, "test_gauge_min", child="any") == 1
        assert sample(samples, "test_gauge_sum", child="any") == 18
        assert sample(samples, "test_gauge_mostrecent", child="any") == 2
        # One series per dead pid (`all`) and the live modes end with their processes.
        names = {name for name, _ in samples}
        assert not names & {
            f"test_gauge_{mode}"
            for mode in ("all", "liveall", "livemin", "livemax", "livesum", "livemostrecent")
        }
        assert not list(tmp_path.glob("gauge_all_*")) and not list(tmp_path.glob("gauge_live*"))


def test_a_scrape_during_compaction_never_sees_a_value_twice_or_missing(tmp_path):
    """Two gunicorn workers scrape (and so compact) at once while children keep dying: every
    scraper's totals only go up (a value read twice, then once, would go down; one missing
    too), and end at the number of children."""
    children = 200
    with gunicorn(tmp_path, workers=2) as (_, url):
        writers = _writers(tmp_path, children, "--kill")
        seen: dict[int, list[tuple[float, float]]] = {}
        failures: list[BaseException] = []

        def scraper(index: int) -> None:
            series = seen.setdefault(index, [])
            try:
                while writers.poll() is None:
                    samples = scrape(url)
                    series.append(
                        (
                            sample(samples, "webhook_deliveries_total", **ACCEPTED),
                            sample(samples, "schedule_lateness_seconds_count"),
                        )
                    )
            except BaseException as exc:  # a 500 (a file gone between listing and reading)
                failures.append(exc)

        threads = [threading.Thread(target=scraper, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        writers.communicate(timeout=10)

        assert not failures, failures
        assert sum(len(series) for series in seen.values()) > 20  # they did overlap the deaths
        for series in seen.values():
            assert series == sorted(series), series
            # One child is alive at a time, and a scrape reads its files one after another.
            assert all(abs(total - count) <= 1 for total, count in series), series
        final = scrape(url)
        assert sample(final, "webhook_deliveries_total", **ACCEPTED) == children
        assert sample(final, "schedule_lateness_seconds_count") == children
        assert all(_alive(pid) for pid in file_pids(tmp_path))


# A compactor that waits for a line on stdin, then compacts the folder's dead processes.
_COMPACTOR = (
    "import sys; from apps.observability.compaction import compact_dead; "
    "print('ready', flush=True); sys.stdin.readline(); compact_dead(sys.argv[1])"
)


def test_a_compactor_killed_at_any_moment_neither_loses_nor_doubles_a_value(tmp_path):
    """SIGKILL (a master killed by the OOM killer, say) at random moments of a compaction:
    the next scrape finishes or drops what it left, and the totals stay exact."""
    rng = random.Random(7)
    with gunicorn(tmp_path) as (_, url):
        expected = 0
        for _ in range(12):
            expected += len(_run_writers(tmp_path, 15, "--kill"))
            compactor = subprocess.Popen(  # noqa: S603 (our own command line)
                [sys.executable, "-c", _COMPACTOR, str(tmp_path)],
                cwd=ROOT,
                env={**worker_env(), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert compactor.stdout is not None and compactor.stdin is not None
            assert compactor.stdout.readline().strip() == "ready"
            compactor.stdin.write("go\n")
            compactor.stdin.flush()
            time.sleep(rng.uniform(0, 0.03))
            compactor.kill()
            compactor.wait()

            samples = scrape(url)
            assert sample(samples, "webhook_deliveries_total", **ACCEPTED) == expected
            assert sample(samples, "schedule_lateness_seconds_count") == expected
            assert not list(tmp_path.glob("*.new")) and not list(tmp_path.glob(".*journal*"))
            assert all(_alive(pid) for pid in file_pids(tmp_path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
