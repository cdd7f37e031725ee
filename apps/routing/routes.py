"""Routes and route maps.

A route points a set of example utterances at one tool (a connector operation). Routes come
from the connector catalogue and from route-map files in the design's format::

    {"connector": "google-calendar",
     "routes": [{"tool": "events.insert", "name": "create_event",
                 "utterances": ["put a meeting on my calendar", ...],
                 "modifierFunc": "extract_datetime"}]}

Optional per route: ``threshold`` (confidence needed to answer with it) and ``description``.
Optional per map: ``name``, ``description`` and ``utterances`` of the connector itself (used
by hierarchical routing). A file may hold one map or a list of them.

``modifierFunc`` names a registered modifier: a pure function of the query that adds
arguments for the tool (``extract_email`` finds e-mail addresses, ...). Names, not code: a
route map is data an operator uploads, so it can only pick from what the platform ships.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

__all__ = [
    "MODIFIERS",
    "ROUTE_MAP_SCHEMA",
    "ConnectorInfo",
    "Route",
    "RouteMapError",
    "modifier",
    "parse_route_maps",
    "route_map_export",
    "routes_fingerprint",
    "routes_from_map",
]

SLUG = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$"
ROUTE_MAP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["connector", "routes"],
    "additionalProperties": False,
    "properties": {
        "connector": {"type": "string", "pattern": SLUG},
        "name": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "maxLength": 4000},
        "source": {"type": "string", "maxLength": 500},
        "utterances": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 1000},
            "maxItems": 200,
        },
        "threshold": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "routes": {
            "type": "array",
            "maxItems": 5000,
            "items": {
                "type": "object",
                "required": ["tool", "utterances"],
                "additionalProperties": False,
                "properties": {
                    "tool": {"type": "string", "minLength": 1, "maxLength": 150},
                    "name": {"type": "string", "minLength": 1, "maxLength": 150},
                    "utterances": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 500,
                        "items": {"type": "string", "minLength": 1, "maxLength": 1000},
                    },
                    "description": {"type": "string", "maxLength": 4000},
                    "modifierFunc": {"type": ["string", "null"], "maxLength": 100},
                    "threshold": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                },
            },
        },
    },
}
_validator = Draft202012Validator(ROUTE_MAP_SCHEMA)


class RouteMapError(ValueError):
    """A route map is invalid; ``fields`` maps a JSON path to its messages."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


@dataclass(frozen=True)
class Route:
    connector: str
    tool: str
    name: str
    utterances: tuple[str, ...]
    description: str = ""
    threshold: float | None = None
    modifier: str | None = None
    source: str = "catalog"

    @property
    def id(self) -> str:
        return f"{self.connector}/{self.name}"


@dataclass(frozen=True)
class ConnectorInfo:
    """What hierarchical routing knows of a connector beyond its routes."""

    slug: str
    name: str = ""
    description: str = ""
    utterances: tuple[str, ...] = ()
    threshold: float | None = None

    def texts(self) -> tuple[str, ...]:
        head = ". ".join(t for t in (self.name, self.description) if t)
        return tuple(t for t in (head, *self.utterances) if t)


# --- modifiers -------------------------------------------------------------------------

Modifier = Callable[[str], dict[str, Any]]
MODIFIERS: dict[str, Modifier] = {}


def modifier(name: str) -> Callable[[Modifier], Modifier]:
    """Register a query modifier under ``name`` (refuses duplicates)."""

    def add(fn: Modifier) -> Modifier:
        if name in MODIFIERS:
            raise ValueError(f"modifier {name!r} is already registered")
        MODIFIERS[name] = fn
        return fn

    return add


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s<>\"']+")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'")
_WHEN = re.compile(
    r"\b(today|tonight|tomorrow|yesterday|next (?:week|month|year|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)|\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?)?|"
    r"(?:at )?\d{1,2}(?::\d{2})? ?(?:am|pm))\b",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w@])[@#][\w.-]+")


@modifier("identity")
def _identity(query: str) -> dict[str, Any]:
    return {}


@modifier("extract_email")
def _extract_email(query: str) -> dict[str, Any]:
    found = _EMAIL.findall(query)
    return {"emails": found} if found else {}


@modifier("extract_urls")
def _extract_urls(query: str) -> dict[str, Any]:
    found = _URL.findall(query)
    return {"urls": found} if found else {}


@modifier("extract_numbers")
def _extract_numbers(query: str) -> dict[str, Any]:
    found = [float(n) if "." in n else int(n) for n in _NUMBER.findall(query)]
    return {"numbers": found} if found else {}


@modifier("extract_quoted")
def _extract_quoted(query: str) -> dict[str, Any]:
    found = [a or b for a, b in _QUOTED.findall(query)]
    return {"quoted": found} if found else {}


@modifier("extract_datetime")
def _extract_datetime(query: str) -> dict[str, Any]:
    found = [m.group(0).strip() for m in _WHEN.finditer(query)]
    return {"when": found} if found else {}


@modifier("extract_mentions")
def _extract_mentions(query: str) -> dict[str, Any]:
    found = _MENTION.findall(query)
    return {"mentions": found} if found else {}


# --- route maps ----------------------------------------------------------------------


def _clean_utterances(items: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        text = " ".join(str(item).split())
        if text and text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
    return tuple(out)


def parse_route_maps(data: Any) -> list[dict[str, Any]]:
    """Validate one map or a list of maps; returns them normalised. Raises RouteMapError."""
    maps = data if isinstance(data, list) else [data]
    if not maps:
        raise RouteMapError("the file holds no route map")
    errors: dict[str, list[str]] = {}
    out = []
    seen_connectors: set[str] = set()
    for index, item in enumerate(maps):
        where = f"[{index}]" if isinstance(data, list) else ""
        problems = sorted(_validator.iter_errors(item), key=lambda e: list(e.absolute_path))
        for problem in problems[:20]:
            path = where + "".join(
                f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem.absolute_path
            )
            errors.setdefault(path.lstrip(".") or "non_field_errors", []).append(problem.message)
        if problems:
            continue
        connector = item["connector"]
        if connector in seen_connectors:
            errors.setdefault(f"{where}.connector".lstrip("."), []).append(
                f"connector {connector!r} appears twice; merge its routes into one map"
            )
        seen_connectors.add(connector)
        names: set[str] = set()
        routes = []
        for r_index, route in enumerate(item["routes"]):
            name = route.get("name") or route["tool"]
            if name in names:
                errors.setdefault(f"{where}.routes[{r_index}].name".lstrip("."), []).append(
                    f"route name {name!r} is used twice in {connector!r}"
                )
            names.add(name)
            mod = route.get("modifierFunc")
            if mod and mod not in MODIFIERS:
                errors.setdefault(f"{where}.routes[{r_index}].modifierFunc".lstrip("."), []).append(
                    f"unknown modifier {mod!r}; known: {', '.join(sorted(MODIFIERS))}"
                )
            utterances = _clean_utterances(route["utterances"])
            routes.append(
                {
                    k: v
                    for k, v in {
                        "tool": route["tool"],
                        "name": name,
                        "utterances": list(utterances),
                        "description": route.get("description", ""),
                        "modifierFunc": mod,
                        "threshold": route.get("threshold"),
                    }.items()
                    if v not in (None, "")
                }
            )
        out.append(
            {
                k: v
                for k, v in {
                    "connector": connector,
                    "name": item.get("name", ""),
                    "description": item.get("description", ""),
                    "utterances": list(_clean_utterances(item.get("utterances", []))),
                    "threshold": item.get("threshold"),
                    "routes": routes,
                }.items()
                if v not in (None, "", [])
            }
            | {"routes": routes}
        )
    if errors:
        first = next(iter(errors.items()))
        raise RouteMapError(f"invalid route map: {first[0]}: {first[1][0]}", errors)
    return out


def routes_from_map(data: Mapping[str, Any], source: str) -> list[Route]:
    return [
        Route(
            connector=data["connector"],
            tool=r["tool"],
            name=r["name"],
            utterances=tuple(r["utterances"]),
            description=r.get("description", ""),
            threshold=r.get("threshold"),
            modifier=r.get("modifierFunc"),
            source=source,
        )
        for r in data["routes"]
    ]


def route_map_export(
    connector: str, routes: Iterable[Route], *, info: ConnectorInfo | None = None
) -> dict[str, Any]:
    """The design-format map of ``routes`` (what import reads back unchanged)."""
    out: dict[str, Any] = {"connector": connector}
    if info is not None:
        if info.name:
            out["name"] = info.name
        if info.description:
            out["description"] = info.description
        if info.utterances:
            out["utterances"] = list(info.utterances)
        if info.threshold is not None:
            out["threshold"] = info.threshold
    out["routes"] = []
    for route in routes:
        item: dict[str, Any] = {
            "tool": route.tool,
            "name": route.name,
            "utterances": list(route.utterances),
            "modifierFunc": route.modifier,
        }
        if route.description:
            item["description"] = route.description
        if route.threshold is not None:
            item["threshold"] = route.threshold
        out["routes"].append(item)
    return out


def routes_fingerprint(
    routes: Iterable[Route],
    connectors: Iterable[ConnectorInfo],
    encoder_key: str,
    extra: Any = None,
) -> str:
    """A hash of everything a built router depends on."""
    digest = hashlib.sha256(encoder_key.encode())
    for route in routes:
        digest.update(
            json.dumps(
                [
                    route.connector,
                    route.tool,
                    route.name,
                    route.utterances,
                    route.description,
                    route.threshold,
                    route.modifier,
                ],
                ensure_ascii=False,
            ).encode()
        )
    for info in connectors:
        digest.update(
            json.dumps(
                [info.slug, info.name, info.description, info.utterances, info.threshold],
                ensure_ascii=False,
            ).encode()
        )
    digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return digest.hexdigest()
