"""Typed query parameters that views read by hand (outside FilterSets and pagination).

A parameter the schema publishes as a boolean or an integer either parses or is a 400 naming
it: reading ``?deprecated=yes please`` as "false" answered a question nobody asked.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

TRUE = frozenset({"true", "1"})
FALSE = frozenset({"false", "0"})


def query_bool(request: Request, name: str, *, default: bool = False) -> bool:
    """``true``/``1`` or ``false``/``0`` (any case); absent is ``default``."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ValidationError({name: ["Must be true or false."]})


def query_int(request: Request, name: str, *, minimum: int = 0) -> int | None:
    """A decimal integer of at least ``minimum``; absent is None."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise ValidationError({name: [f"Must be an integer of at least {minimum}."]})
    return int(raw)
