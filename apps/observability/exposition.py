"""What `/metrics` serves: every process's samples added up, plus counts read at scrape time."""

from __future__ import annotations

import os
import re
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

_PID_FILE = re.compile(r"_(\d+)\.db$")


# Collectors that count rows at scrape time, registered by the apps that own the rows:
# observability sits below them in the layers and imports none of them.
_scrape_collectors: list[Collector] = []


def scrape_collector_register(collector: Collector) -> None:
    """Serve ``collector`` on the web's /metrics; called from an AppConfig.ready()."""
    _scrape_collectors.append(collector)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def clean_dead_processes(path: str) -> None:
    """Drop the live-gauge files of processes that are gone (gunicorn and Celery recycle
    their children). Counter and histogram files stay: their totals must not go backwards."""
    pids = {int(m.group(1)) for name in os.listdir(path) if (m := _PID_FILE.search(name))}
    for pid in pids:
        if not _alive(pid):
            mark_process_dead(pid, path)


def _process_registry(path: str) -> CollectorRegistry:
    Path(path).mkdir(parents=True, exist_ok=True)
    clean_dead_processes(path)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)
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
