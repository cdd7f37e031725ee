"""Load the shipped connector catalogue (idempotent; keeps fields edited in the admin)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.connectors import services
from apps.connectors.catalog import CatalogError


class Command(BaseCommand):
    help = (
        "Upsert every connector of apps/connectors/catalog/catalog.json.gz. Unchanged "
        "connectors are skipped; operator edits are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", help="Another catalogue file.")
        parser.add_argument("--only", nargs="+", metavar="SLUG", help="Load only these slugs.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Re-apply entries even when unchanged since the last load.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = services.catalog_load(
                path=options["path"], force=options["force"], only=options["only"]
            )
        except CatalogError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] > 1:
            for report in result.reports:
                self.stdout.write(f"  {report.summary()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue {result.source}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged ({result.operations} operations; "
                f"{result.kept_local_edits} local edits kept)."
            )
        )
