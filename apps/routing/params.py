"""Router parameters: feature weights, confidence calibration, thresholds.

The defaults were fitted (``benchmarks/routing_eval.py``, i.e. ``evaluation.fit``) on the
*dev* split of the catalogue evaluation set (apps/routing/evalset/catalog_*, real OpenAPI
text over the shipped catalogue's 7,884 operations, the closest match to what the router
serves); figures reported in benchmarks/RESULTS.md are on the *test* splits of both sets,
which no fit saw. A newer fit stored in the database (RouterFit) replaces them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["DEFAULT_PARAMS", "FEATURES", "LEXICAL", "PRIOR", "TEXT", "Calibration", "RouterParams"]

# The per-route features the fused score weighs (see router.py for each one's meaning).
FEATURES = (
    "dense_max",
    "dense_mean",
    "lex_rel",
    "lex_abs",
    "conn_context",
    "conn_lex",
    "conn_dense",
    "action",
    "cardinality",
    # The workspace prior (prior.py): 0 for every route when no workspace is known.
    "ws_connected",
    "ws_used",
)
# Columns addressed by name: the prior's two, and the text features scored without the
# encoder (the router's lexical fallback rescales the text score by their weight).
PRIOR = slice(FEATURES.index("ws_connected"), FEATURES.index("ws_used") + 1)
TEXT = slice(0, PRIOR.start)
LEXICAL = tuple(
    FEATURES.index(n) for n in ("lex_rel", "lex_abs", "conn_lex", "action", "cardinality")
)


@dataclass(frozen=True)
class Calibration:
    """Logistic map from a few scores (e.g. best score and margin) to a probability."""

    mean: tuple[float, ...] = (0.0, 0.0)
    scale: tuple[float, ...] = (1.0, 1.0)
    coef: tuple[float, ...] = (1.0, 1.0)
    intercept: float = 0.0

    def __call__(self, *values: float) -> float:
        # Callers pass every input they have; a calibration fitted on fewer (an older fit,
        # without the workspace prior's inputs) uses the leading ones.
        z = self.intercept + sum(
            c * (x - m) / s
            for c, x, m, s in zip(
                self.coef, values[: len(self.coef)], self.mean, self.scale, strict=True
            )
        )
        return float(1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def fit(
        cls, x: np.ndarray, y: np.ndarray, *, iters: int = 3000, lr: float = 0.5, l2: float = 1e-3
    ) -> Calibration:
        """Logistic regression by gradient descent on standardised inputs."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        k = x.shape[1]
        mean = x.mean(0)
        scale = x.std(0) + 1e-9
        xn = np.c_[(x - mean) / scale, np.ones(len(x))]
        beta = np.zeros(k + 1)
        for _ in range(iters):
            p = 1.0 / (1.0 + np.exp(-xn @ beta))
            grad = xn.T @ (p - y) / max(len(y), 1) + l2 * np.r_[beta[:k], 0.0]
            beta -= lr * grad
        return cls(
            mean=tuple(float(v) for v in mean),
            scale=tuple(float(v) for v in scale),
            coef=tuple(float(v) for v in beta[:k]),
            intercept=float(beta[k]),
        )


@dataclass(frozen=True)
class RouterParams:
    weights: dict[str, float]
    connector_calibration: Calibration = field(default_factory=Calibration)
    tool_calibration: Calibration = field(default_factory=Calibration)
    # A soft floor on absolute evidence (the best of cosine and the share of the query's
    # keywords matched): margins alone look confident in a small route map even for a query
    # no route is about. sigmoid((evidence - floor) / 0.05).
    relevance_calibration: Calibration = field(
        default_factory=lambda: Calibration(mean=(0.35,), scale=(0.05,), coef=(1.0,), intercept=0.0)
    )
    # Two global thresholds: ``threshold`` when no workspace prior is given (e.g. the
    # workspace-less /routing/route API), ``workspace_threshold`` when one is. The prior
    # makes confidences higher and more often right, so one threshold fitted on both would
    # be too low without a workspace (precision under the target) or too high with one.
    threshold: float = 0.7
    workspace_threshold: float = 0.7
    route_thresholds: dict[str, float] = field(default_factory=dict)
    source: str = "default"

    def global_threshold(self, *, workspace: bool) -> float:
        return self.workspace_threshold if workspace else self.threshold

    def weight_vector(self) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RouterParams:
        threshold = float(data.get("threshold", 0.7))

        def cal(item: dict[str, Any] | None) -> Calibration:
            if not item:
                return Calibration()
            return Calibration(
                mean=tuple(item["mean"]),
                scale=tuple(item["scale"]),
                coef=tuple(item["coef"]),
                intercept=float(item["intercept"]),
            )

        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            connector_calibration=cal(data.get("connector_calibration")),
            tool_calibration=cal(data.get("tool_calibration")),
            relevance_calibration=cal(data.get("relevance_calibration"))
            if data.get("relevance_calibration")
            else Calibration(mean=(0.35,), scale=(0.05,), coef=(1.0,), intercept=0.0),
            threshold=threshold,
            # An older fit (one threshold for both) keeps using it with a workspace too.
            workspace_threshold=float(data.get("workspace_threshold", threshold)),
            route_thresholds={k: float(v) for k, v in (data.get("route_thresholds") or {}).items()},
            source=str(data.get("source", "fit")),
        )


# Fitted on the dev split of the catalogue evaluation set (see the module docstring) on
# 2026-12-03 with ``benchmarks/routing_eval.py`` (apps/routing/scenarios.py): the text weights
# (``cardinality`` new), then the workspace prior's weights, then both calibrations (with the
# prior's inputs), then the two thresholds, each the lowest reaching 85 % precision on its own
# simulated-workspace scenarios of the dev queries: ``threshold`` on "no workspace",
# ``workspace_threshold`` on the other three.
DEFAULT_PARAMS = RouterParams(
    weights={
        "dense_max": 0.41,
        "dense_mean": 0.49,
        "lex_rel": 0.366,
        "lex_abs": 0.476,
        "conn_context": 0.63,
        "conn_lex": 0.49,
        "conn_dense": 0.524,
        "action": 0.214,
        "cardinality": 0.044,
        "ws_connected": 0.6,
        "ws_used": 0.28,
    },
    # Inputs: best connector score, its margin, chosen connector connected, workspace known
    # and chosen connector not connected.
    connector_calibration=Calibration(
        mean=(2.7111, 0.6538, 0.4862, 0.2638),
        scale=(0.5164, 0.5262, 0.4998, 0.4407),
        coef=(0.8415, 2.5639, -0.1185, -0.0491),
        intercept=2.3483,
    ),
    # Inputs: best tool score inside the chosen connector, its margin, operation used.
    tool_calibration=Calibration(
        mean=(2.8782, 0.4371, 0.3198),
        scale=(0.4488, 0.2918, 0.4664),
        coef=(0.2131, 2.2400, -0.2298),
        intercept=3.4629,
    ),
    threshold=0.67,
    workspace_threshold=0.57,
)
