"""manage.py fit_router LABELLED.json: fit weights, calibration and thresholds; store them."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.routing.evaluation import fit, load_examples
from apps.routing.scenarios import SCENARIOS
from apps.routing.services import router_fit_record, router_get


class Command(BaseCommand):
    help = "Fit the router's weights, confidence calibration and thresholds from examples."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("labelled")
        parser.add_argument("--split", default=None, help="fit on this split only (e.g. dev)")
        parser.add_argument("--target-precision", type=float, default=0.9)
        parser.add_argument(
            "--thresholds-only",
            action="store_true",
            help="keep the weights; fit calibration and thresholds",
        )
        parser.add_argument(
            "--scenarios",
            nargs="*",
            default=list(SCENARIOS),
            choices=SCENARIOS,
            help="simulated workspaces to fit the workspace prior on (none: no prior)",
        )
        parser.add_argument("--dry-run", action="store_true", help="print, do not store")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            examples = load_examples(options["labelled"], split=options["split"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"{options['labelled']}: {exc}") from None
        if not examples:
            raise CommandError("no examples to fit on")
        router = router_get(force=True)
        params, summary = fit(
            router,
            examples,
            target_precision=options["target_precision"],
            fit_weights=not options["thresholds_only"],
            scenarios=options["scenarios"],
            log=lambda line: self.stderr.write(line),
        )
        self.stdout.write(json.dumps({"summary": summary, "params": params.to_json()}, indent=2))
        if not options["dry_run"]:
            router_fit_record(params=params, summary=summary, dataset=options["labelled"])
            self.stdout.write(self.style.SUCCESS("stored; routers pick it up on their next query"))
