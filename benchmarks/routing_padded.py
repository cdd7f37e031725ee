"""Requests padded with context: the shipped router with and without leading-clause evidence.

    .venv/bin/python benchmarks/routing_padded.py [--db ... --routes ... --labelled ...]

People do not type API summaries; they say what they want and then what it is about ("open
an issue in flowplane about the login bug"). The labelled sets' queries are summaries, so
here each test query (labelled and out-of-catalogue) gets one of a few context phrases
appended, in turn, and the shipped router (params.py) routes it with and without the
leading-clause evidence of the relevance floor (apps/routing/clauses.py), without a workspace
and in the workspace scenarios of routing_eval.py (same draws). The plain queries are routed
too: the clause evidence must not cost them anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routing_common import dataset_arguments, machine, setup_django

# Context a person adds after the request: a project, a team, a person, a topic, a time.
PADDING = (
    " in flowplane about the login bug",
    " for the support team",
    " in the acme account, as we discussed yesterday",
    " about last week's outage",
    " for Ana before Friday's review",
)
SCENARIOS = ("none", "connected", "not_connected")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    dataset_arguments(parser)
    args = parser.parse_args()

    setup_django(args.db)
    from routing_common import load_routes

    from apps.routing.evaluation import evaluate, load_examples, scenario_priors, with_params
    from apps.routing.params import DEFAULT_PARAMS
    from apps.routing.router import Router
    from apps.routing.services import router_get

    class WithoutClauses(Router):
        def clause_evidence(self, query: str, i: int) -> None:
            return None

    load_routes(args.routes)
    router = with_params(router_get(force=True), DEFAULT_PARAMS)
    without = WithoutClauses(router.index, router.encoder, DEFAULT_PARAMS)
    test = load_examples(args.labelled, split="test")
    padded = [
        dataclasses.replace(ex, query=ex.query.rstrip(" .") + PADDING[i % len(PADDING)])
        for i, ex in enumerate(test)
    ]
    print(f"machine: {machine()}")
    print(f"{len(test)} test queries of {args.labelled.name}, {len(router.index)} routes")
    print(
        "| queries | scenario | clause evidence | top-1 | threshold | precision | coverage | "
        "no-route answered | p50 ms | p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in SCENARIOS:
        priors = None if name == "none" else scenario_priors(router, test, name, seed=1)
        for label, examples in (("plain", test), ("padded", padded)):
            for clauses, routing in (("no", without), ("yes", router)):
                clear = getattr(router.encoder, "clear", None)
                if clear is not None:
                    clear()  # each pass encodes its queries afresh (latency columns)
                f = evaluate(routing, examples, priors=priors)
                print(
                    f"| {label} | {name} | {clauses} | {_pct(f['top1'])} | "
                    f"{f['threshold']:.2f} | {_pct(f['precision'])} | {_pct(f['coverage'])} | "
                    f"{_pct(f['no_route_answered'])} | {f['latency_ms']['p50']:.2f} | "
                    f"{f['latency_ms']['p95']:.2f} |",
                    flush=True,
                )
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


if __name__ == "__main__":
    sys.exit(main())
