"""Would a lower relevance floor pay with a workspace? Dev-split figures of a labelled set.

    .venv/bin/python benchmarks/routing_floor.py [--db ... --routes ... --labelled ...]

Routes every dev query (labelled and out-of-catalogue) once per simulated workspace
(scenarios.py: connected, used, not_connected; the fit's draws) under the shipped parameters
with the relevance floor switched off, and reports:

- answers by the floor's evidence (the larger of the best cosine and the keyword share of the
  chosen route) when the workspace holds the chosen connector: how many, how many right;
- the floor swept with a workspace: the precision (out-of-catalogue answers count as wrong),
  coverage and out-of-catalogue queries answered at each floor, with the workspace threshold
  chosen on these rows as ``evaluation.fit`` chooses it (dev split only) and at the shipped
  one (``--split test``: the rows no fit saw).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routing_common import dataset_arguments, machine, setup_django

BANDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 2.0)
SLOPE = 0.05  # the floor's softness (params.py)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    dataset_arguments(parser)
    parser.add_argument("--target-precision", type=float, default=0.85)
    parser.add_argument(
        "--split",
        default="dev",
        help="dev: thresholds fitted per floor; test: only the shipped workspace threshold",
    )
    args = parser.parse_args()

    setup_django(args.db)
    from routing_common import load_routes

    from apps.routing.evaluation import (
        _global_threshold,
        _gold,
        load_examples,
        scenario_priors,
        with_params,
    )
    from apps.routing.params import DEFAULT_PARAMS, Calibration
    from apps.routing.scenarios import PRIOR_SCENARIOS
    from apps.routing.services import router_get

    load_routes(args.routes)
    # sigmoid(50): a floor that never binds, so the confidence is the two calibrated steps'.
    off = dataclasses.replace(
        DEFAULT_PARAMS,
        relevance_calibration=Calibration(mean=(0.0,), scale=(1.0,), coef=(0.0,), intercept=50.0),
    )
    router = with_params(router_get(force=True), off)
    idx = router.index
    dev = load_examples(args.labelled, split=args.split)
    gold = _gold(router, dev)
    dev = [ex for ex, g in zip(dev, gold, strict=True) if g != -2]
    gold = gold[gold != -2]
    # The fit's draws on dev (seed 0), routing_eval.py's on test (seed 1).
    seed = 0 if args.split == "dev" else 1
    priors = {name: scenario_priors(router, dev, name, seed=seed) for name in PRIOR_SCENARIOS}
    vectors = router.encoder.encode([ex.query for ex in dev])
    text_conf, evidence, correct, positive, connected = [], [], [], [], []
    for i, ex in enumerate(dev):
        feats = router.features(ex.query, vector=vectors[i])[0]  # evidence needs no prior
        for name in PRIOR_SCENARIOS:
            prior = priors[name][i]
            decision = router.route(ex.query, use_llm=False, vector=vectors[i], prior=prior)
            best = decision.best
            assert best is not None and prior is not None
            b = idx.route_pos[f"{best.connector}/{best.route}"]
            text_conf.append(decision.confidence)
            evidence.append(max(float(feats[b, 0]), float(feats[b, 3])))
            correct.append(b == gold[i])
            positive.append(gold[i] >= 0)
            connected.append(best.connector in prior.connectors)
    conf_raw, ev = np.array(text_conf), np.array(evidence)
    ok, pos, conn = np.array(correct), np.array(positive), np.array(connected)

    print(f"machine: {machine()}")
    print(
        f"{args.labelled.name}, {args.split} split: {int((gold >= 0).sum())} labelled + "
        f"{int((gold < 0).sum())} out-of-catalogue queries x {len(PRIOR_SCENARIOS)} workspace "
        f"scenarios = {len(ev)} answers; shipped parameters, floor off"
    )
    print("\nanswers whose connector the workspace holds, by the floor's evidence:")
    print("| evidence | answers | right | labelled queries | confidence >= 0.5 | right |")
    print("|---|---:|---:|---:|---:|---:|")
    for lo, hi in itertools.pairwise(BANDS):
        band = conn & (ev >= lo) & (ev < hi)
        sure = band & (conf_raw >= 0.5)
        label = f"{lo:.2f}-{hi:.2f}" if hi < 2 else f">= {lo:.2f}"
        print(
            f"| {label} | {band.sum()} | {ok[band].sum()} | {(band & pos).sum()} | "
            f"{sure.sum()} | {ok[sure].sum()} |"
        )
    shipped = DEFAULT_PARAMS.workspace_threshold
    fitted = args.split == "dev"
    print(
        "\nfloor with a workspace: "
        + ("threshold fitted on these rows as evaluation.fit does, then " if fitted else "")
        + f"the shipped workspace threshold {shipped:.2f}:"
    )
    head = "threshold | precision | coverage | out-of-catalogue answered"
    print("| floor | " + " | ".join([head] * (2 if fitted else 1)) + " |")
    print("|---:" * (9 if fitted else 5) + "|")
    for at in np.round(np.arange(0.20, 0.451, 0.01), 2):
        conf = np.minimum(conf_raw, 1.0 / (1.0 + np.exp(-(ev - at) / SLOPE)))
        cells = []
        if fitted:
            t = _global_threshold(conf, ok, pos, args.target_precision, shipped)
            cells.append(_figures(conf >= t, ok, pos, t))
        cells.append(_figures(conf >= shipped, ok, pos, shipped))
        print(f"| {at:.2f} | {' | '.join(cells)} |")
    return 0


def _figures(answered: np.ndarray, ok: np.ndarray, pos: np.ndarray, t: float) -> str:
    return (
        f"{t:.2f} | {100 * ok[answered].mean():.2f} % | "
        f"{100 * (answered & pos).sum() / pos.sum():.2f} % | "
        f"{100 * (answered & ~pos).sum() / max((~pos).sum(), 1):.2f} %"
    )


if __name__ == "__main__":
    sys.exit(main())
