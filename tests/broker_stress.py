"""A broker under load: many producer processes, prefork Celery workers, a tick every 100 ms.

Used by tests/test_broker_stress.py (the embedded broker must deliver every message exactly once
and its workers must stay up) and by benchmarks/broker_transports.py (the same load on kombu's
filesystem and SQLAlchemy transports). The Celery app here is its own, without Django: each
consumed message appends "<producer> <seq>" to a file of the consuming process, so what was
consumed is counted from the files, independently of the broker.

Run as a worker: `celery -A tests.broker_stress worker`, configured by STRESS_BROKER_URL,
STRESS_TRANSPORT_OPTIONS (JSON) and STRESS_OUT (the folder of the record files).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parent.parent

# Not the current app: imported by a test, it must not take over the platform's shared tasks.
app = Celery(
    "broker_stress", broker=os.environ.get("STRESS_BROKER_URL", "memory://"), set_as_current=False
)
app.conf.update(
    broker_transport_options=json.loads(os.environ.get("STRESS_TRANSPORT_OPTIONS") or "{}"),
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=4,
    task_default_queue="stress",
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # The settings of the platform's own Celery app: JSON only.
    task_serializer="json",
    accept_content=["json"],
)

_out: dict[str, object] = {}


@app.task(name="stress.record")
def record(producer: str, seq: int) -> None:
    handle = _out.get("file")
    if handle is None or _out.get("pid") != os.getpid():
        folder = Path(os.environ["STRESS_OUT"])
        handle = (folder / f"consumed-{os.getpid()}.log").open("a", buffering=1)
        _out.update(file=handle, pid=os.getpid())
    handle.write(f"{producer} {seq}\n")  # type: ignore[union-attr]


def _client() -> Celery:
    client = Celery("broker_stress", broker=os.environ["STRESS_BROKER_URL"], set_as_current=False)
    client.conf.update(
        broker_transport_options=json.loads(os.environ.get("STRESS_TRANSPORT_OPTIONS") or "{}"),
        task_default_queue="stress",
        task_serializer="json",
    )
    return client


def produce(name: str, count: int) -> None:
    """Send `count` messages, as fast as possible or STRESS_RATE a second."""
    client = _client()
    rate = float(os.environ.get("STRESS_RATE") or 0)
    started = time.monotonic()
    with client.producer_or_acquire() as prod:
        for seq in range(count):
            client.send_task("stress.record", args=[name, seq], producer=prod)
            if rate:
                time.sleep(max(0.0, started + (seq + 1) / rate - time.monotonic()))


def tick() -> None:
    """Like beat: one message every 100 ms until SIGTERM; the count sent is kept in
    STRESS_OUT/ticks. SIGTERM only asks the loop to stop, so a send it interrupts is still
    counted: the count is exact."""
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    client = _client()
    count_file = Path(os.environ["STRESS_OUT"]) / "ticks"
    seq = 0
    while not stopping:
        client.send_task("stress.record", args=["tick", seq])
        seq += 1
        count_file.write_text(str(seq))
        time.sleep(0.1)


@dataclass
class Outcome:
    sent: int = 0
    consumed: int = 0
    duplicates: int = 0
    missing: int = 0
    seconds: float = 0.0
    worker_deaths: list[str] = field(default_factory=list)
    first_death_s: float | None = None  # seconds from the start until a worker died
    crash_lines: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds else 0.0


def run_stress(
    *,
    broker_url: str,
    out: Path,
    transport_options: dict | None = None,
    producers: int = 8,
    per_producer: int = 2500,
    workers: int = 2,
    concurrency: int = 2,
    timeout: float = 100.0,
    rate: float = 0,
    stop_on_crash: bool = False,
) -> Outcome:
    """Send producers * per_producer messages (each producer as fast as it can, or `rate` a
    second), and a tick every 100 ms while they are sent,
    through `broker_url` to `workers` prefork workers; wait until every message is consumed
    or `timeout`; count what came out."""
    out.mkdir(parents=True, exist_ok=True)
    env = {
        "STRESS_BROKER_URL": broker_url,
        "STRESS_OUT": str(out),
        "STRESS_RATE": str(rate),
        "STRESS_TRANSPORT_OPTIONS": json.dumps(transport_options or {}),
    }
    worker_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    procs, logs = [], []
    for n in range(workers):
        log = out / f"worker-{n}.log"
        logs.append(log)
        with log.open("w") as handle:
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "tests.broker_stress",
                        "worker",
                        "-n",
                        f"stress{n}@%h",
                        "--pool",
                        "prefork",
                        "--concurrency",
                        str(concurrency),
                        "--loglevel",
                        "WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=ROOT,
                    env=worker_env,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    outcome = Outcome()
    started = time.monotonic()
    cmd = [sys.executable, "-m", "tests.broker_stress"]
    ticks = 0
    ticker = subprocess.Popen([*cmd, "tick"], cwd=ROOT, env=worker_env)
    senders: list[subprocess.Popen] = []
    try:
        senders = [
            subprocess.Popen(
                [*cmd, "produce", f"p{n}", str(per_producer)], cwd=ROOT, env=worker_env
            )
            for n in range(producers)
        ]
        deadline = started + timeout
        produced = False
        while time.monotonic() < deadline:
            dead = [
                f"worker {n} exited with {p.returncode}"
                for n, p in enumerate(procs)
                if p.poll() is not None
            ]
            if dead:
                outcome.worker_deaths = dead
                if outcome.first_death_s is None:
                    outcome.first_death_s = time.monotonic() - started
                if stop_on_crash:
                    break
            if not produced and all(p.poll() is not None for p in senders):
                produced = True
                ticker.terminate()
                ticker.wait()
                ticks = int((out / "ticks").read_text() or 0) if (out / "ticks").exists() else 0
                outcome.sent = producers * per_producer + ticks
            if produced:
                outcome.consumed = _count(out)[0]
                if outcome.consumed >= outcome.sent:
                    time.sleep(1.0)  # a duplicate delivered late would show now
                    break
            time.sleep(0.25)
        outcome.seconds = time.monotonic() - started
    finally:
        for proc in [*senders, ticker]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    outcome.consumed, counts = _count(out)
    outcome.duplicates = sum(c - 1 for c in counts.values() if c > 1)
    if outcome.sent:  # everything was sent: what never came out?
        expected = {(f"p{n}", s) for n in range(producers) for s in range(per_producer)}
        expected |= {("tick", s) for s in range(ticks)}
        outcome.missing = len(expected - set(counts))
    for log in logs:
        outcome.crash_lines += [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "Unrecoverable error" in line or "JSONDecodeError" in line
        ]
    return outcome


def _count(out: Path) -> tuple[int, Counter]:
    counts: Counter = Counter()
    for path in out.glob("consumed-*.log"):
        for line in path.read_text().split("\n")[:-1]:  # the last one may be half written
            name, _, seq = line.partition(" ")
            if seq.isdigit():
                counts[(name, int(seq))] += 1
    return sum(counts.values()), counts


if __name__ == "__main__":
    if sys.argv[1] == "produce":
        produce(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "tick":
        tick()
