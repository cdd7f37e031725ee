"""What the web's /metrics counts in the workflow tables at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from apps.workflows.selectors import execution_counts_unfinished


class ExecutionsCollector(Collector):
    """Unfinished executions by status, counted in the database when scraped: a gauge kept
    by the processes would drift whenever one died between two updates."""

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "executions", "Unfinished executions by status.", labels=["status"]
        )
        for status, count in execution_counts_unfinished().items():
            family.add_metric([status], count)
        yield family
