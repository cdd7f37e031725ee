"""What `/metrics` serves: every process's samples added up, plus counts read at scrape time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from apps.observability.compaction import compact_dead, locked


class ExecutionsCollector(Collector):
    """Unfinished executions by status, counted in the database when scraped: a gauge kept
    by the processes would drift whenever one died between two updates."""

    def collect(self) -> Iterator[Metric]:
        from apps.workflows.selectors import execution_counts_unfinished

        family = GaugeMetricFamily("executions", "Unfinished executions by status.",
                                   labels=["status"])
        for status, count in execution_counts_unfinished().items():
            family.add_metric([status], count)
        yield family


class CompactingCollector(MultiProcessCollector):
    """Every process's files added up, after the files of processes that are gone have been
    merged into the archives (compaction.py): each scrape, not once at start, since the
    worker's own endpoint keeps one registry for its life."""

    def collect(self) -> Iterable[Metric]:
        compact_dead(self._path)
        # Shared: a compaction (exclusive) never runs while the files are read.
        with locked(Path(self._path), exclusive=False):
            files = [str(path) for path in Path(self._path).glob("*.db") if _sized(path)]
            return list(self.merge(files, accumulate=True))


def _sized(path: Path) -> bool:
    """False for a file a process has just created and not yet sized (prometheus_client's
    reader fails on it, and it holds nothing), or one deleted since the listing (a live gauge
    of a Celery child that exited)."""
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _process_registry(path: str) -> CollectorRegistry:
    Path(path).mkdir(parents=True, exist_ok=True)
    registry = CollectorRegistry()
    CompactingCollector(registry, path=path)
    return registry


def serve_worker_metrics(port: int) -> None:
    """A worker container's own /metrics (its processes' files are not the web's to read);
    the database counts are left to the web, so they are scraped once."""
    from prometheus_client import start_http_server

    start_http_server(port, registry=_process_registry(os.environ["PROMETHEUS_MULTIPROC_DIR"]))


def render() -> bytes:
    registry = _process_registry(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    registry.register(ExecutionsCollector())
    return generate_latest(registry)
