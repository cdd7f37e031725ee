"""What `/metrics` serves: every process's samples added up, plus counts read at scrape time."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from apps.observability.compaction import compact_dead, locked

# Collectors that count rows at scrape time, registered by the apps that own the rows:
# observability sits below them in the layers and imports none of them.
_scrape_collectors: list[Collector] = []


def scrape_collector_register(collector: Collector) -> None:
    """Serve ``collector`` on the web's /metrics; called from an AppConfig.ready()."""
    _scrape_collectors.append(collector)


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
    for collector in _scrape_collectors:
        registry.register(collector)
    return generate_latest(registry)
