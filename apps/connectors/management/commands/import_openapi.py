"""Import (or re-import) one OpenAPI 3 / Swagger 2.0 document into the catalogue."""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.connectors import services
from apps.connectors.exceptions import ImportFailed
from apps.connectors.models import Connector
from apps.connectors.openapi import ParseOptions


class Command(BaseCommand):
    help = (
        "Import an OpenAPI document (file or http(s) URL, YAML or JSON) as a connector. "
        "Re-importing updates it in place and keeps fields edited in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A file path or an http(s) URL.")
        parser.add_argument("--slug", help="Connector slug (default: from the API title).")
        parser.add_argument("--name", help="Connector name (default: the API title).")
        parser.add_argument(
            "--category",
            choices=Connector.Category.values,
            help="Catalogue category (default: kept, or guessed when new).",
        )
        parser.add_argument(
            "--max-operations",
            type=int,
            default=None,
            help="Import at most this many operations (document order).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write even if this exact document was imported before.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        try:
            if urlsplit(source).scheme in ("http", "https"):
                data, source_url = services.openapi_fetch(url=source), source
            else:
                path = Path(source)
                if not path.is_file():
                    raise CommandError(f"No such file: {source}")
                data, source_url = path.read_bytes(), ""
            report = services.connector_import_document(
                data=data,
                source=source if source_url else f"file:{Path(source).name}",
                source_url=source_url,
                slug=options["slug"],
                name=options["name"],
                category=options["category"],
                force=options["force"],
                options=ParseOptions(max_operations=options["max_operations"]),
            )
        except ImportFailed as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
        for edit in report.kept_local_edits:
            self.stdout.write(f"  kept local edit: {edit}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
