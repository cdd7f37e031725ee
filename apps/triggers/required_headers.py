"""Required headers of a webhook (the trigger's ``headers`` option): a shared value a sender
puts in a header of its choice (``X-Origin-Token: ...``), for providers that do not sign.

Each rule names a header and either its exact ``value`` (compared in constant time) or a
``pattern`` (a Python regular expression the whole value must match). A value longer than
``MAX_VALUE`` never matches, which also bounds what a pattern is run against. The values
are never echoed: a refusal names the header only, and required headers are left out of
the execution's input (apps.triggers.headers).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

MAX_VALUE = 1024

Rules = Sequence[Mapping[str, Any]]


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def problems(rules: Rules) -> dict[str, list[str]]:
    """What is wrong with the rules, keyed by config path (checked when the trigger is saved)."""
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        where = f"config.headers[{index}]"
        name = str(rule.get("name", ""))
        if name.lower() in seen:
            found.setdefault(f"{where}.name", []).append(
                f"Header {name!r} is required twice; keep one rule per header."
            )
        seen.add(name.lower())
        if ("value" in rule) == ("pattern" in rule):
            found.setdefault(where, []).append(
                "Set either value (exact match) or pattern (regular expression), not both."
            )
        if "pattern" in rule:
            try:
                _compiled(str(rule["pattern"]))
            except re.error as exc:
                found.setdefault(f"{where}.pattern", []).append(
                    f"Invalid regular expression: {exc}."
                )
    return found


def refused(rules: Rules, headers: Mapping[str, str]) -> str | None:
    """The name of the first required header that is missing or does not match, else None."""
    for rule in rules:
        name = str(rule["name"])
        given = headers.get(name)
        if given is None or len(given) > MAX_VALUE:
            return name
        if "value" in rule:
            if not hmac.compare_digest(given.encode(), str(rule["value"]).encode()):
                return name
        elif _compiled(str(rule["pattern"])).fullmatch(given) is None:
            return name
    return None


def names(rules: Rules) -> frozenset[str]:
    return frozenset(str(rule["name"]).lower() for rule in rules)
