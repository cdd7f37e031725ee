"""A process that forks short-lived children which write metrics and die, as recycled gunicorn
and Celery children do: `python -m apps.observability.tests.writers COUNT [--kill]`.

Each child counts one `webhook_deliveries{outcome="accepted"}` and observes 0.3 s of
`schedule_lateness_seconds`, then exits, or is killed with SIGKILL (`--kill`, no exit hook
runs). With `--gauges`, child number n (from 1) also sets `test_gauge_<mode>{child="any"}` to
n for every multiprocess mode. The parent reaps each child before forking the next (a zombie
would still look alive), prints one line per child (its pid) and counts nothing itself.
"""

from __future__ import annotations

import os
import signal
import sys

from prometheus_client import Gauge

from apps.observability import metrics

MODES = (
    "all",
    "liveall",
    "min",
    "livemin",
    "max",
    "livemax",
    "sum",
    "livesum",
    "mostrecent",
    "livemostrecent",
)


def _set_gauges(value: float) -> None:
    for mode in MODES:
        gauge = Gauge(f"test_gauge_{mode}", f"A {mode} gauge.", ["child"], multiprocess_mode=mode)  # type: ignore[arg-type]
        gauge.labels("any").set(value)


def main(count: int, *, kill: bool, gauges: bool) -> None:
    for n in range(1, count + 1):
        pid = os.fork()
        if pid == 0:
            metrics.webhook_delivery("accepted")
            metrics.schedule_fired(lateness_seconds=0.3)
            if gauges:
                _set_gauges(n)
            if kill:
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(0)
        os.waitpid(pid, 0)
        print(pid, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), kill="--kill" in sys.argv, gauges="--gauges" in sys.argv)
