"""manage.py evaluate_router LABELLED.json: accuracy, per-route precision/recall, latency."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.routing.evaluation import evaluate, load_examples
from apps.routing.services import router_evaluation_record, router_get


class Command(BaseCommand):
    help = "Evaluate the router on labelled examples and print its figures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("labelled")
        parser.add_argument("--split", default=None, help="only examples of this split")
        parser.add_argument("--top-k", type=int, default=5)
        parser.add_argument(
            "--routes",
            type=int,
            default=20,
            help="per-route lines to print (worst first; 0 for all)",
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument(
            "--no-record", action="store_true", help="do not store the summary for the API"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            examples = load_examples(options["labelled"], split=options["split"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"{options['labelled']}: {exc}") from None
        router = router_get(force=True)
        summary = evaluate(router, examples, top_k=options["top_k"])
        if not options["no_record"]:
            router_evaluation_record(summary=summary, dataset=options["labelled"])
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        w = self.stdout.write
        w(
            f"router: {summary['routes_in_router']} routes, {summary['connectors_in_router']} "
            f"connectors; {summary['examples']} labelled queries, "
            f"{summary['no_route_examples']} no-route queries, {summary['unknown_labels']} "
            "with labels the router does not know (skipped)"
        )
        w(f"top-1 accuracy      {_pct(summary['top1'])}")
        w(f"top-5 accuracy      {_pct(summary['top5'])}")
        w(f"connector accuracy  {_pct(summary['connector_accuracy'])}")
        w(f"threshold           {summary['threshold']:.2f}")
        w(f"precision answered  {_pct(summary['precision'])}")
        w(f"coverage            {_pct(summary['coverage'])}")
        w(f"no-route answered   {_pct(summary['no_route_answered'])}")
        lat = summary["latency_ms"]
        w(
            f"latency             p50 {lat['p50']:.2f} ms, p95 {lat['p95']:.2f} ms "
            f"(per query, encode included)"
        )
        rows = sorted(
            summary["per_route"].items(),
            key=lambda kv: (
                (kv[1]["precision"] if kv[1]["precision"] is not None else 2),
                (kv[1]["recall"] if kv[1]["recall"] is not None else 2),
                kv[0],
            ),
        )
        limit = options["routes"] or len(rows)
        w(
            f"per route (worst {min(limit, len(rows))} of {len(rows)}): precision recall "
            "support route"
        )
        for route_id, m in rows[:limit]:
            w(f"  {_pct(m['precision']):>7} {_pct(m['recall']):>7} {m['support']:>4}  {route_id}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
