"""The workspace prior: what the asking workspace already works with (plain Python + numpy).

A workspace that holds a working credential for a connector, or whose workflows already
call an operation, more likely means that connector or operation than an equally worded one
it never touched. The router turns a ``WorkspacePrior`` into two per-route features
(``ws_connected``, ``ws_used``, params.py) whose weights are fitted like the others, and into
extra inputs of the confidence calibrations (``calibration_inputs``), so the prior lifts a
connected connector's score *and* its calibrated confidence, while a query that names a
connector the workspace lacks still reaches it when the text is clear.

Who fills it in is not the router's business: ``apps/routing/workspace.py`` asks the
sources registered by the apps above (credentials, workflows) and caches the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from apps.routing.workspace import WorkspacePrior

if TYPE_CHECKING:
    from apps.routing.router import RouteIndex

__all__ = ["WorkspacePrior", "calibration_inputs", "prior_columns"]


def prior_columns(index: RouteIndex, prior: WorkspacePrior | None) -> np.ndarray:
    """(n_routes, 2) float32: [route's connector connected, route's operation used]."""
    out = np.zeros((len(index.routes), 2), dtype=np.float32)
    if not prior:
        return out
    positions = [index.connector_pos[s] for s in prior.connectors if s in index.connector_pos]
    if positions:
        out[:, 0] = np.isin(index.route_connector, positions)
    by_tool = index.route_by_tool
    used = [by_tool[op] for op in prior.operations if op in by_tool]
    if used:
        out[used, 1] = 1.0
    return out


def calibration_inputs(
    prior: WorkspacePrior | None, columns: np.ndarray, route: int
) -> tuple[tuple[float, float], tuple[float]]:
    """Extra calibration inputs for the chosen route: (connector step), (tool step).

    Connector step: (chosen connector connected, workspace known but chosen one not
    connected); both 0 without a workspace, so a fit without prior scenarios is unchanged.
    Tool step: (chosen operation used in a workflow).
    """
    if not prior:
        return (0.0, 0.0), (0.0,)
    connected = float(columns[route, 0])
    return (connected, 1.0 - connected), (float(columns[route, 1]),)
