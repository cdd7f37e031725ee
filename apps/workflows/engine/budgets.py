"""The bytes of step output one run may produce: per step and in total.

Every output is stored as a step row and may be copied into later steps' inputs, so one
block answering with a huge body, or a loop of big ones, must end the run with a clear error
instead of filling the database. Sizes are of the output's JSON text (the form it is stored
in), measured once where the engine checks that the output is JSON.
"""

from __future__ import annotations

import threading

from apps.workflows.engine import errors as codes

__all__ = ["OutputBudget"]


class OutputBudget:
    """Counts one run's output bytes; shared by its branch threads. ``None`` = no limit."""

    def __init__(self, per_step: int | None = None, per_run: int | None = None) -> None:
        self.per_step, self.per_run = per_step, per_run
        self.used = 0
        self._lock = threading.Lock()

    def charge(self, node_id: str, size: int) -> tuple[str, str] | None:
        """Count a step's output of ``size`` bytes; (code, message) if it is over a budget
        (the output is then not counted: it will not be stored)."""
        if self.per_step is not None and size > self.per_step:
            return codes.OUTPUT_TOO_LARGE, (
                f"node {node_id!r} produced {size} bytes of output, over the limit of "
                f"{self.per_step} bytes per step; the output was not stored"
            )
        with self._lock:
            if self.per_run is not None and self.used + size > self.per_run:
                return codes.RUN_OUTPUT_BUDGET, (
                    f"node {node_id!r} produced {size} bytes of output, which would bring "
                    f"the run's outputs to {self.used + size} bytes, over its budget of "
                    f"{self.per_run} bytes; the output was not stored"
                )
            self.used += size
        return None
