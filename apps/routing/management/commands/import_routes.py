"""manage.py import_routes FILE...: load route maps (design format; .json or .json.gz)."""

import gzip
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.routing.exceptions import InvalidRouteMap
from apps.routing.services import route_map_import


def read_json(path: str) -> Any:
    file = Path(path)
    if not file.exists():
        raise CommandError(f"{path}: no such file")
    raw = file.read_bytes()
    if file.suffix == ".gz":
        raw = gzip.decompress(raw)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise CommandError(f"{path}: not JSON ({exc})") from None


class Command(BaseCommand):
    help = "Import route maps ({connector, routes:[{tool, name, utterances, modifierFunc}]})."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument(
            "--warm", action="store_true", help="build the router now (encodes new utterances once)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for path in options["files"]:
            try:
                maps = route_map_import(data=read_json(path), source=Path(path).name)
            except InvalidRouteMap as exc:
                details = "; ".join(f"{k}: {v[0]}" for k, v in list(exc.fields.items())[:5])
                raise CommandError(f"{path}: {exc.detail} {details}".strip()) from None
            routes = sum(m.route_count for m in maps)
            total += routes
            self.stdout.write(f"{path}: {len(maps)} route map(s), {routes} routes")
        if options["warm"]:
            from apps.routing.services import router_get

            router = router_get(force=True)
            self.stdout.write(f"router ready: {len(router.index)} routes")
        self.stdout.write(self.style.SUCCESS(f"imported {total} routes"))
