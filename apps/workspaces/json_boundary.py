"""The one JSON boundary: what the API and webhook ingest accept as JSON.

Python's ``json`` accepts ``NaN``/``Infinity`` (PostgreSQL's jsonb refuses them), ``\\u0000``
(jsonb refuses it too) and lone surrogates (not encodable as UTF-8), and recurses once per
nesting level (a deep body raises ``RecursionError`` here or in the code that walks it later).
Each of those answered 500 before; here they are a 400 that names the first offending place.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings

from apps.core.exceptions import InvalidInput

__all__ = ["InvalidJSON", "check", "loads"]

DEFAULT_MAX_DEPTH = 64


class InvalidJSON(InvalidInput):
    type = "parse_error"  # the type DRF and the webhook view already used for malformed bodies


def max_depth() -> int:
    return int(getattr(settings, "JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


class _NotFinite(Exception):  # a signal out of the decoder's hooks
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses to inf without passing through parse_constant
        raise _NotFinite(text[:40])
    return value


def loads(raw: bytes | str, *, where: str = "body") -> Any:
    """Parse ``raw`` as strict JSON and ``check`` the result; raise InvalidJSON (400)."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        limit = max_depth()
        raise InvalidJSON(
            f"The {where} nests deeper than {limit} levels.",
            fields={where: [f"Nesting deeper than {limit} levels."]},
        ) from None
    except UnicodeDecodeError:
        raise InvalidJSON(
            f"The {where} is not valid UTF-8.", fields={where: ["Not valid UTF-8."]}
        ) from None
    except _NotFinite as exc:
        raise InvalidJSON(
            f"The {where} holds {exc}: JSON numbers must be finite (use null).",
            fields={where: ["NaN and Infinity are not allowed."]},
        ) from None
    except ValueError as exc:  # JSONDecodeError, and int() past the digit limit
        raise InvalidJSON(
            f"The {where} is not valid JSON: {str(exc)[:200]}", fields={where: ["Malformed JSON."]}
        ) from None
    check(value, where=where)
    return value


def _bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "NUL characters (\\u0000) are not allowed."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Lone surrogates (\\ud800-\\udfff) are not allowed."
    return None


def check(value: Any, *, where: str = "body") -> None:
    """Refuse a decoded value that cannot be stored as jsonb or walked safely.

    Iterative, so a value too deep for recursion is still checked (and refused).
    """
    limit = max_depth()
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        field = path[:200] or where
        if isinstance(item, dict | list):
            if depth > limit:
                raise InvalidJSON(
                    f"The {where} nests deeper than {limit} levels.",
                    fields={field: [f"Nesting deeper than {limit} levels."]},
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    key = str(key)
                    problem = _bad_text(key)
                    if problem:
                        raise InvalidJSON(
                            f"A key in the {where} is not allowed. {problem}",
                            fields={field: [problem]},
                        )
                    name = _printable(key)
                    stack.append((child, f"{path}.{name}" if path else name, depth + 1))
            else:
                stack.extend(
                    (child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item)
                )
        elif isinstance(item, str):
            problem = _bad_text(item)
            if problem:
                raise InvalidJSON(
                    f"A string in the {where} is not allowed at {field}. {problem}",
                    fields={field: [problem]},
                )
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidJSON(
                f"A non-finite number in the {where} at {field}.",
                fields={field: ["NaN and Infinity are not allowed."]},
            )


def _printable(key: str) -> str:
    """A key as it can appear in an error path (no control characters, bounded)."""
    return "".join(c if c.isprintable() else "?" for c in key[:60])
