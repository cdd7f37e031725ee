"""Simulated workspaces for fitting and evaluating the workspace prior (plain numpy).

The labelled sets say which operation a query means, not which workspace asked it, so each
query gets a workspace drawn at random (seeded), in one of these scenarios:

- ``none``: no workspace is known (the router as before);
- ``connected``: the workspace holds credentials for the gold connector and ``k`` random
  other connectors; its workflows call ``used`` random operations of each of them (the gold
  operation only if the draw picks it);
- ``used``: as ``connected``, and the workflows also call the gold operation already;
- ``not_connected``: credentials for ``k + 1`` random connectors, none of them the gold one,
  so a prior that only favoured connected connectors would be wrong here.

A no-route query gets ``k + 1`` random connectors in every scenario but ``none``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from apps.routing.prior import WorkspacePrior
from apps.routing.router import RouteIndex

__all__ = ["PRIOR_SCENARIOS", "SCENARIOS", "workspace_priors"]

SCENARIOS = ("none", "connected", "used", "not_connected")
PRIOR_SCENARIOS = SCENARIOS[1:]


def workspace_priors(
    index: RouteIndex,
    gold: Sequence[int] | np.ndarray,
    scenario: str,
    *,
    k: int = 4,
    used: int = 2,
    seed: int = 0,
) -> list[WorkspacePrior | None]:
    """One simulated workspace per example; ``gold``: the route position, < 0 for none."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    if scenario == "none":
        return [None] * len(gold)
    rng = np.random.default_rng([seed, SCENARIOS.index(scenario)])
    n_conn = len(index.connectors)
    out: list[WorkspacePrior | None] = []
    for g in gold:
        g = int(g)
        gold_conn = int(index.route_connector[g]) if g >= 0 else -1
        others = np.setdiff1d(np.arange(n_conn), [gold_conn])
        take = k if (g >= 0 and scenario != "not_connected") else k + 1
        conns = [int(c) for c in rng.choice(others, size=min(take, len(others)), replace=False)]
        if g >= 0 and scenario != "not_connected":
            conns.append(gold_conn)
        ops: set[tuple[str, str]] = set()
        for c in conns:
            start, size = int(index.connector_starts[c]), int(index.connector_sizes[c])
            for r in rng.choice(size, size=min(used, size), replace=False):
                route = index.routes[start + int(r)]
                ops.add((route.connector, route.tool))
        if g >= 0 and scenario == "used":
            ops.add((index.routes[g].connector, index.routes[g].tool))
        out.append(
            WorkspacePrior(
                connectors=frozenset(index.connectors[c].slug for c in conns),
                operations=frozenset(ops),
            )
        )
    return out


def fit_prior_weights(
    base: np.ndarray, columns: Sequence[np.ndarray], gold: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """The prior's two weights by coordinate ascent on top-1, averaged over the scenarios.

    ``base``: (n, routes) fused text scores; ``columns``: per scenario (n, routes, 2) prior
    columns; the text weights stay fixed. Top-1 is flat in places: ties keep the smaller
    weight (a prior no stronger than the data asks for).
    """
    pos = gold >= 0
    base, gold = base[pos], gold[pos]
    cols = [c[pos] for c in columns]

    def top1(w: np.ndarray) -> float:
        return float(np.mean([(np.argmax(base + c @ w, axis=1) == gold).mean() for c in cols]))

    w = np.maximum(np.asarray(start, dtype=np.float64), 0.0)
    best = top1(w)
    for step in (0.2, 0.1, 0.05, 0.02, 0.01):
        for _ in range(20):
            improved = False
            for j in range(len(w)):
                for delta in (step, -step):
                    trial = w.copy()
                    trial[j] = max(0.0, trial[j] + delta)
                    acc = top1(trial)
                    if acc > best + 1e-9:
                        best, w, improved = acc, trial, True
            if not improved:
                break
    return w
