"""manage.py export_routes [--connector SLUG] [--all] [-o FILE]: write route maps as JSON."""

import json
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand

from apps.routing import selectors
from apps.routing.routes import route_map_export


class Command(BaseCommand):
    help = "Export route maps in the design format (imported maps; --all adds the catalogue)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--connector", action="append", default=[])
        parser.add_argument(
            "--all", action="store_true", help="every route the router uses, catalogue included"
        )
        parser.add_argument("-o", "--output", default="-")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = set(options["connector"])
        if options["all"]:
            routes, infos, _ = selectors.routing_sources()
            by_conn = defaultdict(list)
            for route in sorted(routes, key=lambda r: (r.connector, r.name)):
                by_conn[route.connector].append(route)
            info = {i.slug: i for i in infos}
            maps = [
                route_map_export(c, rs, info=info.get(c))
                for c, rs in by_conn.items()
                if not wanted or c in wanted
            ]
        else:
            maps = [
                m.data for m in selectors.route_map_list() if not wanted or m.connector in wanted
            ]
        text = json.dumps(maps if len(maps) != 1 else maps[0], indent=2, ensure_ascii=False)
        if options["output"] == "-":
            self.stdout.write(text)
        else:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(f"wrote {len(maps)} route map(s) to {options['output']}")
