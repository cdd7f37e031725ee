"""Evaluating and fitting a router on labelled examples (plain numpy, no Django).

Labelled file: ``{"examples": [{"query", "connector", "tool", "split"?}]}`` or a bare list
(``.json`` or ``.json.gz``). ``connector``/``tool`` null means "no route is right".
``route`` may stand in for ``tool`` when route names differ from operation keys.

- ``evaluate``: top-1/top-5 tool accuracy, connector accuracy, precision and coverage of
  answered queries at the router's thresholds, per-route precision/recall, the share of
  no-route queries wrongly answered, and latency p50/p95 of ``Router.route`` (encode
  included, one query at a time, LLM fallback off).
- ``fit``: feature weights by coordinate ascent on top-1 accuracy, then (with ``scenarios``)
  the workspace prior's two weights on simulated workspaces (scenarios.py), then the two
  logistic calibrations (connector step, tool step; with the prior's inputs; on every
  scenario at once), then thresholds: two global ones, each the lowest whose precision
  reaches ``target_precision`` (the most coverage at that precision; else the most precise
  with >= 5 % coverage), ``threshold`` on the no-workspace scenario and
  ``workspace_threshold`` on the workspace scenarios together; a route with enough answered
  examples (all scenarios) gets its own when it needs a different one.
- ``baselines``: plain nearest-utterance cosine, BM25, and a fixed 0.5/0.5 dense + lexical
  mix, scored from the same features, each with a threshold fitted the same way.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from apps.routing.params import FEATURES, PRIOR, Calibration, RouterParams
from apps.routing.prior import WorkspacePrior
from apps.routing.router import Router
from apps.routing.scenarios import fit_prior_weights, workspace_priors

__all__ = ["Example", "baselines", "evaluate", "fit", "load_examples", "scenario_priors"]


@dataclass(frozen=True)
class Example:
    query: str
    connector: str | None
    tool: str | None
    split: str = ""


def load_examples(path: str | Path, *, split: str | None = None) -> list[Example]:
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    items = data["examples"] if isinstance(data, dict) else data
    out = []
    for item in items:
        example = Example(
            query=str(item["query"]),
            connector=item.get("connector"),
            tool=item.get("tool") or item.get("route"),
            split=str(item.get("split", "")),
        )
        if split is None or example.split == split:
            out.append(example)
    return out


def _gold(router: Router, examples: Sequence[Example]) -> np.ndarray:
    idx = router.index
    by_tool = {(r.connector, r.tool): i for i, r in enumerate(idx.routes)}
    by_name = {(r.connector, r.name): i for i, r in enumerate(idx.routes)}
    gold = []
    for ex in examples:
        if ex.connector is None:
            gold.append(-1)
            continue
        pos = by_tool.get((ex.connector, ex.tool), by_name.get((ex.connector, ex.tool)))
        gold.append(-2 if pos is None else pos)  # -2: labelled with a route we do not have
    return np.array(gold, dtype=np.int64)


def scenario_priors(
    router: Router, examples: Sequence[Example], scenario: str, *, seed: int = 0
) -> list[WorkspacePrior | None]:
    """A simulated workspace per example (scenarios.py), aligned with ``examples``."""
    return workspace_priors(router.index, _gold(router, examples), scenario, seed=seed)


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else 0.0


def evaluate(
    router: Router,
    examples: Sequence[Example],
    *,
    top_k: int = 5,
    priors: Sequence[WorkspacePrior | None] | None = None,
) -> dict[str, Any]:
    """``priors``: the asking workspace of each example (scenario_priors), else none."""
    gold = _gold(router, examples)
    priors = priors if priors is not None else [None] * len(examples)
    idx = router.index
    positives = answered = correct_answered = top1 = top5 = conn_ok = 0
    negatives = neg_answered = 0
    latencies = []
    per_route: dict[str, dict[str, int]] = defaultdict(
        lambda: {"tp": 0, "fp": 0, "fn": 0, "support": 0}
    )
    unknown = int((gold == -2).sum())
    for ex, g, prior in zip(examples, gold, priors, strict=True):
        if g == -2:
            continue
        started = time.perf_counter()
        decision = router.route(ex.query, top_k=top_k, use_llm=False, prior=prior)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [decision.best, *decision.alternatives] if decision.best else []
        ranked_ids = [f"{a.connector}/{a.route}" for a in ranked if a is not None][:top_k]
        answer = f"{decision.connector}/{decision.route}" if decision.route else None
        if g == -1:
            negatives += 1
            neg_answered += answer is not None
            if answer:
                per_route[answer]["fp"] += 1
            continue
        truth = idx.routes[g].id
        positives += 1
        per_route[truth]["support"] += 1
        top1 += bool(ranked_ids) and ranked_ids[0] == truth
        top5 += truth in ranked_ids
        conn_ok += bool(ranked) and ranked[0].connector == idx.routes[g].connector
        if answer is not None:
            answered += 1
            if answer == truth:
                correct_answered += 1
                per_route[truth]["tp"] += 1
            else:
                per_route[answer]["fp"] += 1
                per_route[truth]["fn"] += 1
        else:
            per_route[truth]["fn"] += 1
    routes = {}
    for route_id, c in sorted(per_route.items()):
        p_den, r_den = c["tp"] + c["fp"], c["tp"] + c["fn"]
        routes[route_id] = {
            "precision": round(c["tp"] / p_den, 4) if p_den else None,
            "recall": round(c["tp"] / r_den, 4) if r_den else None,
            "support": c["support"],
            "answered_wrongly": c["fp"],
        }
    return {
        "examples": positives,
        "no_route_examples": negatives,
        "unknown_labels": unknown,
        "routes_in_router": len(idx),
        "connectors_in_router": len(idx.connectors),
        "top1": _ratio(top1, positives),
        "top5": _ratio(top5, positives),
        "connector_accuracy": _ratio(conn_ok, positives),
        "threshold": router.params.global_threshold(workspace=any(priors)),
        "precision": _ratio(correct_answered, answered),
        "coverage": _ratio(answered, positives),
        "no_route_answered": _ratio(neg_answered, negatives),
        "latency_ms": {
            "p50": round(_percentile(latencies, 50), 3),
            "p95": round(_percentile(latencies, 95), 3),
            "mean": round(float(np.mean(latencies)) if latencies else 0.0, 3),
        },
        "per_route": routes,
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


# --- fitting --------------------------------------------------------------------------


def feature_tensor(router: Router, examples: Sequence[Example]) -> np.ndarray:
    """(n_examples, n_routes, n_features) for the given examples (batch-encoded)."""
    vectors = router.encoder.encode([ex.query for ex in examples])
    return np.stack(
        [router.features(ex.query, vector=vectors[i])[0] for i, ex in enumerate(examples)]
    )


def _top1(feats: np.ndarray, gold: np.ndarray, w: np.ndarray) -> float:
    return float((np.argmax(feats @ w, axis=1) == gold).mean()) if len(gold) else 0.0


def _ascent(feats: np.ndarray, gold: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Coordinate ascent on top-1 accuracy, non-negative weights, shrinking steps."""
    w = w.copy()
    best = _top1(feats, gold, w)
    for step in (0.2, 0.1, 0.05, 0.02):
        for _ in range(3):
            improved = False
            for j in range(len(w)):
                for delta in (-step, step):
                    trial = w.copy()
                    trial[j] = max(0.0, trial[j] + delta)
                    acc = _top1(feats, gold, trial)
                    if acc > best + 1e-9:
                        best, w, improved = acc, trial, True
            if not improved:
                break
    return w


def _stages(router: Router, fused: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per example: connector (best, margin), chosen connector, tool (best, margin), top route."""
    idx = router.index
    conn = np.maximum.reduceat(fused, idx.connector_starts, axis=1)
    ranked = -np.sort(-conn, axis=1)
    second = ranked[:, 1] if conn.shape[1] > 1 else ranked[:, 0] - 1.0
    conn_x = np.c_[ranked[:, 0], ranked[:, 0] - second]
    chosen = np.argmax(conn, axis=1)
    tool_x = np.zeros((len(fused), 2))
    top = np.zeros(len(fused), dtype=np.int64)
    for i, c in enumerate(chosen):
        start, size = idx.connector_starts[c], idx.connector_sizes[c]
        inside = fused[i, start : start + size]
        j = int(np.argmax(inside))
        runner = np.partition(inside, -2)[-2] if size > 1 else inside[j] - 1.0
        tool_x[i] = (inside[j], inside[j] - runner)
        top[i] = start + j
    return conn_x, chosen, tool_x, top


def _confidence(router: Router, query: str, route: int, step: float, evidence: float) -> float:
    """The answer's confidence as ``Router.route`` computes it from the two steps' confidence
    (the smaller) and the relevance evidence, the leading clause's included (clauses.py)."""
    relevance = router.params.relevance_calibration(evidence)
    if relevance < step:
        clause = router.clause_evidence(query, route)
        if clause is not None:
            relevance = max(relevance, router.params.relevance_calibration(clause[0]))
    return min(step, relevance)


def _threshold_for_precision(
    conf: np.ndarray, correct: np.ndarray, target: float, default: float
) -> float:
    """The lowest threshold whose answered precision reaches ``target`` (grid of 0.01)."""
    for t in np.round(np.arange(0.05, 0.991, 0.01), 2):
        answered = conf >= t
        if answered.sum() >= 5 and correct[answered].mean() >= target:
            return float(t)
    return default


def _global_threshold(
    conf: np.ndarray, correct: np.ndarray, pos: np.ndarray, target: float, default: float
) -> float:
    """The lowest threshold reaching ``target`` precision (no-route answers count as wrong);
    when none does, the most precise one that still answers >= 5 % of the positives."""
    t = _threshold_for_precision(conf, correct, target, -1.0)
    if t >= 0:
        return t
    best, best_precision = default, -1.0
    for t in np.round(np.arange(0.05, 0.991, 0.01), 2):
        answered = conf >= t
        if (answered & pos).sum() < max(5, 0.05 * pos.sum()):
            continue
        precision = float(correct[answered].mean())
        if precision > best_precision + 1e-12:
            best, best_precision = float(t), precision
    return best


def fit(
    router: Router,
    examples: Sequence[Example],
    *,
    target_precision: float = 0.9,
    min_route_support: int = 5,
    fit_weights: bool = True,
    text_weights: bool = True,
    scenarios: Sequence[str] = (),
    log: Callable[[str], None] = lambda _: None,
) -> tuple[RouterParams, dict[str, Any]]:
    """Fitted parameters and a summary of the fit (on the examples given: use a dev split).

    ``scenarios``: simulated workspaces (scenarios.py) to fit the workspace prior on; the
    text weights are fitted without a workspace first, so the prior cannot lower top-1
    when no workspace is known. ``text_weights=False`` keeps the router's text weights (an
    earlier fit on the same dev split) and fits the prior's, calibrations and thresholds.
    """
    gold = _gold(router, examples)
    keep = gold != -2
    examples = [ex for ex, k in zip(examples, keep, strict=True) if k]
    gold = gold[keep]
    feats = feature_tensor(router, examples)
    pos = gold >= 0
    w0 = router.params.weight_vector().astype(np.float64)
    start_acc = _top1(feats[pos], gold[pos], w0)
    w = w0
    if fit_weights and text_weights and pos.sum() >= 10:
        # Coordinate ascent on top-1 overfits a few hundred examples; the mean of five
        # ascents, each on 80 % of the examples, keeps what they agree on (bagging).
        rows = np.flatnonzero(pos)
        order = np.random.default_rng(0).permutation(rows)
        folds = np.array_split(order, 5)
        runs = []
        for k in range(5):
            train = np.concatenate([f for j, f in enumerate(folds) if j != k])
            runs.append(_ascent(feats[train], gold[train], w0))
            log(f"weights fold {k + 1}/5: {np.round(runs[-1], 2).tolist()}")
        w = np.mean(runs, axis=0)
    best = _top1(feats[pos], gold[pos], w)
    base = feats @ w  # the prior's columns are zero in ``feats``
    idx = router.index
    names = ["none", *[s for s in scenarios if s != "none"]]
    columns = {
        name: np.stack([router.prior_columns(p) for p in workspace_priors(idx, gold, name)])
        for name in names[1:]
    }
    if columns and fit_weights:
        w[PRIOR] = fit_prior_weights(base, list(columns.values()), gold, w[PRIOR])
        log(f"prior weights: {np.round(w[PRIOR], 3).tolist()}")
    top1_by_scenario: dict[str, float] = {}
    conn_rows, tool_rows, ok_rows, conn_ok_rows, evidence_rows = [], [], [], [], []
    route_conn = router.index.route_connector
    tops = []
    for name in names:
        cols = columns.get(name)
        fused = base if cols is None else base + cols @ w[PRIOR]
        conn_x, chosen, tool_x, top = _stages(router, fused)
        if cols is None:
            extra = np.zeros((len(top), 3))
        else:
            picked = cols[np.arange(len(top)), top]  # (n, 2): connected, used
            extra = np.c_[picked[:, 0], 1.0 - picked[:, 0], picked[:, 1]]
        conn_rows.append(np.c_[conn_x, extra[:, :2]])
        tool_rows.append(np.c_[tool_x, extra[:, 2:]])
        conn_ok_rows.append(np.where(pos, chosen == route_conn[np.maximum(gold, 0)], False))
        ok_rows.append(top == gold)
        chosen_feats = feats[np.arange(len(top)), top]
        evidence_rows.append(np.maximum(chosen_feats[:, 0], chosen_feats[:, 3]))
        tops.append(top)
        top1_by_scenario[name] = round(float((top == gold)[pos].mean()), 4) if pos.any() else 0.0
    # Without scenarios the prior's calibration inputs are constant: leave them out.
    conn_x, tool_x = np.concatenate(conn_rows), np.concatenate(tool_rows)
    if not columns:
        conn_x, tool_x = conn_x[:, :2], tool_x[:, :2]
    conn_ok, tool_ok = np.concatenate(conn_ok_rows), np.concatenate(ok_rows)
    evidence, top = np.concatenate(evidence_rows), np.concatenate(tops)
    conn_cal = Calibration.fit(conn_x, conn_ok.astype(float))
    tool_cal = (
        Calibration.fit(tool_x[conn_ok], tool_ok[conn_ok].astype(float))
        if conn_ok.sum() >= 2
        else Calibration()
    )
    rel_cal = router.params.relevance_calibration  # a fixed floor, not fitted (params.py)
    conf = np.array(
        [
            _confidence(
                router,
                examples[row % len(examples)].query,
                int(top[row]),
                min(conn_cal(*c), tool_cal(*t)),
                float(e),
            )
            for row, (c, t, e) in enumerate(zip(conn_x, tool_x, evidence, strict=True))
        ]
    )
    # Rows are the examples once per scenario, "none" first: the workspace-less rows fit
    # ``threshold``, the others ``workspace_threshold`` (the prior's confidences run higher).
    all_pos = np.tile(pos, len(names))
    workspace = np.repeat(np.arange(len(names)) > 0, len(gold))
    threshold = _global_threshold(
        conf[~workspace],
        tool_ok[~workspace],
        all_pos[~workspace],
        target_precision,
        router.params.threshold,
    )
    workspace_threshold = threshold
    if workspace.any():
        workspace_threshold = _global_threshold(
            conf[workspace],
            tool_ok[workspace],
            all_pos[workspace],
            target_precision,
            router.params.workspace_threshold,
        )
    route_thresholds: dict[str, float] = {}
    for r in np.unique(top):
        mine = top == r
        if mine.sum() < min_route_support * len(names):
            continue
        t = _threshold_for_precision(conf[mine], tool_ok[mine], target_precision, threshold)
        if min(abs(t - threshold), abs(t - workspace_threshold)) >= 0.02:
            route_thresholds[router.index.routes[int(r)].id] = t
    params = RouterParams(
        weights={n: round(float(v), 4) for n, v in zip(FEATURES, w, strict=True)},
        connector_calibration=conn_cal,
        tool_calibration=tool_cal,
        relevance_calibration=rel_cal,
        threshold=threshold,
        workspace_threshold=workspace_threshold,
        route_thresholds=route_thresholds,
        source="fit",
    )
    answered = conf >= np.where(workspace, workspace_threshold, threshold)

    def precision_coverage(rows: np.ndarray) -> tuple[float | None, float]:
        hit = answered & all_pos & rows
        precision = round(float(tool_ok[hit].mean()), 4) if hit.any() else None
        return precision, round(float(hit.sum() / max((all_pos & rows).sum(), 1)), 4)

    precision, coverage = precision_coverage(~workspace)
    ws_precision, ws_coverage = precision_coverage(workspace)
    summary = {
        "examples": int(pos.sum()),
        "no_route_examples": int((~pos).sum()),
        "top1_before": round(start_acc, 4),
        "top1_after": round(best, 4),
        "top1_by_scenario": top1_by_scenario,
        "threshold": threshold,
        "workspace_threshold": workspace_threshold,
        "target_precision": target_precision,
        # Precision and coverage of the positives (no-route answers count against
        # precision in the threshold search, not here), without and with a workspace.
        "precision": precision,
        "coverage": coverage,
        "workspace_precision": ws_precision if workspace.any() else None,
        "workspace_coverage": ws_coverage if workspace.any() else None,
        "route_thresholds": len(route_thresholds),
    }
    return params, summary


# --- baselines ------------------------------------------------------------------------


def baselines(
    router: Router,
    dev: Sequence[Example],
    test: Sequence[Example],
    *,
    target_precision: float = 0.9,
) -> dict[str, dict[str, Any]]:
    """Each baseline's top-1/top-5/connector accuracy and precision/coverage on ``test``.

    - nearest-utterance cosine: the best cosine over a route's utterances (same encoder);
    - BM25: Okapi BM25 (k1 1.2, b 0.75) over the same route texts, plain lower-cased words;
    - fixed mix: 0.5 x cosine + 0.5 x that BM25 divided by the query's best BM25 score;
    - and, as an ablation, the same fixed mix on the router's own lexical channel (stemmed,
      identifiers split, stop words removed).

    A baseline answers when its top score passes a threshold fitted on ``dev``: the lowest
    that reaches ``target_precision`` (or, when none does, the one with the best precision
    at >= 5 % coverage), on its own score scale.
    """
    from apps.routing.lexical import BM25, plain_tokens

    plain = BM25(router.index.route_docs, tokenize=plain_tokens)
    out = {}
    sets = {}
    for name, examples in (("dev", dev), ("test", test)):
        gold = _gold(router, examples)
        kept = [e for e, g in zip(examples, gold, strict=True) if g != -2]
        feats = feature_tensor(router, kept)
        bm25 = np.stack([plain.scores(e.query) for e in kept])
        sets[name] = (feats, bm25, gold[gold != -2])
    scorers: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
        "nearest_utterance_cosine": lambda f, b: f[..., 0],
        "bm25": lambda f, b: b,
        "fixed_dense_lexical_mix": lambda f, b: (
            0.5 * f[..., 0] + 0.5 * b / np.maximum(b.max(axis=1, keepdims=True), 1e-9)
        ),
        "ablation_fixed_mix_on_router_lexical": lambda f, b: 0.5 * f[..., 0] + 0.5 * f[..., 2],
    }
    route_conn = router.index.route_connector
    for name, score in scorers.items():
        f_dev, b_dev, gold_dev = sets["dev"]
        f_test, b_test, gold_test = sets["test"]
        s_dev, s_test = score(f_dev, b_dev), score(f_test, b_test)
        threshold = _baseline_threshold(s_dev, gold_dev, target_precision)
        ranked = np.argsort(-s_test, axis=1)[:, :5]
        pos = gold_test >= 0
        best = s_test[np.arange(len(s_test)), ranked[:, 0]]
        answered = best >= threshold
        correct = ranked[:, 0] == gold_test
        out[name] = {
            "top1": round(float(correct[pos].mean()), 4),
            "top5": round(float((ranked[pos] == gold_test[pos, None]).any(1).mean()), 4),
            "connector_accuracy": round(
                float((route_conn[ranked[pos, 0]] == route_conn[gold_test[pos]]).mean()), 4
            ),
            "threshold": round(threshold, 4),
            "precision": round(float(correct[answered & pos].mean()), 4)
            if (answered & pos).any()
            else None,
            "coverage": round(float((answered & pos).sum() / pos.sum()), 4),
            "no_route_answered": round(float(answered[~pos].mean()), 4) if (~pos).any() else None,
        }
    return out


def _baseline_threshold(scores: np.ndarray, gold: np.ndarray, target: float) -> float:
    top = np.argmax(scores, axis=1)
    best = scores[np.arange(len(scores)), top]
    correct = top == gold
    pos = gold >= 0
    fallback, fallback_precision = float(best.max()), -1.0
    for t in np.quantile(best, np.linspace(0.0, 0.95, 191)):
        answered = best >= t
        if (answered & pos).sum() < max(5, 0.05 * pos.sum()):
            continue
        precision = float(correct[answered].mean())  # no-route queries answered are wrong
        if precision >= target:
            return float(t)
        if precision > fallback_precision:
            fallback, fallback_precision = float(t), precision
    return fallback


def with_params(router: Router, params: RouterParams) -> Router:
    """The same index and encoder under other parameters."""
    return Router(router.index, router.encoder, params, llm=router.llm)
