"""Shared set-up for the routing benchmarks: a dedicated SQLite database under var/ holding
the evaluation set's route maps and their persisted vectors (built on first run)."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVALSET = ROOT / "apps" / "routing" / "evalset"
DEFAULT_DB = ROOT / "var" / "routing-bench.sqlite3"


def dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """--db, --routes, --labelled: which labelled set (default: the first one) and where its
    benchmark database lives."""
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--routes", type=Path, default=EVALSET / "routes.json.gz")
    parser.add_argument("--labelled", type=Path, default=EVALSET / "labelled.json.gz")


def setup_django(db: Path) -> None:
    sys.path.insert(0, str(ROOT))
    db.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_routes(path: Path) -> int:
    """Import the route maps unless the same file is already loaded; returns route count."""
    import json

    from apps.routing.models import RouteMap
    from apps.routing.services import route_map_import

    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    marker = f"{path.name}:{digest}"
    if not RouteMap.objects.exclude(source=marker).exists() and RouteMap.objects.exists():
        return sum(m.route_count for m in RouteMap.objects.all())
    RouteMap.objects.all().delete()
    maps = route_map_import(data=json.loads(gzip.decompress(raw)), source=marker)
    return sum(m.route_count for m in maps)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
