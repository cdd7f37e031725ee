"""The engine, the SDK, the registry and the control-flow blocks load without Django, Celery
or DRF (the import-linter contract covers the engine; this also covers the blocks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
CONTROL_FLOW = (
    "manual_trigger",
    "error_trigger",
    "condition",
    "switch",
    "loop",
    "merge",
    "delay",
    "wait",
    "sub_workflow",
    "set_variables",
    "stop_and_fail",
    "transform",
    "filter",
    "aggregate",
    "set_output",
)

SCRIPT = """
import sys
import importlib
import apps.workflows.engine.runner, apps.workflows.engine.memory
from apps.blocks.registry import BlockRegistry
registry = BlockRegistry()
for name in {modules!r}:
    registry.register_module(importlib.import_module("apps.blocks.catalog." + name))
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in {{"django", "celery", "rest_framework", "kombu"}})
print(",".join(loaded))
"""


def test_engine_imports_no_framework():
    command = [sys.executable, "-c", SCRIPT.format(modules=CONTROL_FLOW)]
    result = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == ""
