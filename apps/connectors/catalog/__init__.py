"""The shipped connector catalogue: a compact file produced by scripts/catalog/build_catalog.py.

``catalog.json.gz`` holds a header (generator, source package and version, counts) and one
entry per connector: ``slug``, ``category``, ``source`` (the document it came from), ``fields``
(hand-tuned connector fields such as name, icon or rate limit) and ``spec`` (an
``ApiSpec.to_dict()``). ``operations_eval.json.gz`` is the routing evaluation export of the
same run; nothing at run time reads it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATALOG_DIR = Path(__file__).resolve().parent
CATALOG_PATH = CATALOG_DIR / "catalog.json.gz"
EVAL_PATH = CATALOG_DIR / "operations_eval.json.gz"
FORMAT = 1
MIN_CONNECTORS = 100
# The services the design names; the catalogue must ship them, hand-tuned.
NAMED_SERVICES = ("gmail", "google-calendar", "google-drive", "slack", "github", "microsoft-graph")


class CatalogError(ValueError):
    """The catalogue file is missing, unreadable or of an unknown format."""


@dataclass(frozen=True)
class Catalog:
    header: dict[str, Any]
    entries: list[dict[str, Any]]

    @property
    def source_label(self) -> str:
        source = self.header.get("source", {})
        return f"{source.get('package', 'catalog')}@{source.get('version', '?')}"

    def slugs(self) -> list[str]:
        return [entry["slug"] for entry in self.entries]


def read_catalog(path: Path | str | None = None) -> Catalog:
    """Read and minimally check a catalogue file (gzip-compressed JSON)."""
    path = Path(path) if path else CATALOG_PATH
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise CatalogError(
            f"No catalogue at {path}; run scripts/catalog/build_catalog.py."
        ) from None
    except (OSError, ValueError) as exc:
        raise CatalogError(f"The catalogue at {path} is unreadable: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CatalogError(f"The catalogue at {path} has an unknown format.")
    entries = data.get("connectors")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and "slug" in e and "spec" in e for e in entries
    ):
        raise CatalogError(f"The catalogue at {path} has malformed entries.")
    header = {k: v for k, v in data.items() if k != "connectors"}
    return Catalog(header=header, entries=entries)


def catalog_problems(catalog: Catalog) -> list[str]:
    """What keeps a catalogue from being shippable (empty when it is fine)."""
    problems: list[str] = []
    slugs = catalog.slugs()
    if len(slugs) < MIN_CONNECTORS:
        problems.append(f"only {len(slugs)} connectors (at least {MIN_CONNECTORS} expected)")
    missing = [slug for slug in NAMED_SERVICES if slug not in slugs]
    if missing:
        problems.append(f"named services missing: {', '.join(missing)}")
    if len(set(slugs)) != len(slugs):
        problems.append("duplicate connector slugs")
    empty = [e["slug"] for e in catalog.entries if not e["spec"].get("operations")]
    if empty:
        problems.append(f"connectors without operations: {', '.join(empty[:5])}")
    return problems
