"""The engine, the SDK, the registry and the catalog load without Django, Celery or DRF."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

SCRIPT = """
import sys
import apps.workflows.engine.runner, apps.workflows.engine.memory
from apps.blocks.registry import BlockRegistry, autodiscover
autodiscover(BlockRegistry(), entry_points=lambda: [])
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in {"django", "celery", "rest_framework", "kombu"})
print(",".join(loaded))
"""


def test_engine_imports_no_framework():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,  # noqa: S603
                            text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert result.stdout.strip() == ""
