"""How much the rest of the platform uses each connector, without this app importing it.

Apps above the catalogue (credentials, workflows) register here, in their ``ready()``, what
counts as a use of a connector and what makes a workspace connected to one. Each hook returns
a query expression correlated to the outer connector row (``OuterRef("pk")`` /
``OuterRef("slug")``), so the catalogue list annotates and sorts by them in one SQL query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Expression, IntegerField, Q, Value
from django.db.models.functions import Coalesce

UseCounter = Callable[[], Any]
ConnectedCheck = Callable[[Any], Any]

_counters: dict[str, UseCounter] = {}
_connected: dict[str, ConnectedCheck] = {}


def register_use_counter(name: str, build: UseCounter) -> None:
    """``build()`` -> a subquery counting the uses of ``OuterRef`` connector (an integer)."""
    _counters[name] = build


def register_connected_check(name: str, build: ConnectedCheck) -> None:
    """``build(workspace_id)`` -> a boolean expression: the workspace is connected to it."""
    _connected[name] = build


def popularity() -> Expression:
    """The sum of every registered use counter (0 when none is registered)."""
    total: Any = Value(0, output_field=IntegerField())
    for name in sorted(_counters):
        total = total + Coalesce(_counters[name](), Value(0), output_field=IntegerField())
    return total


def connected(workspace_id: Any) -> Any:
    """True when any registered check says the workspace holds a connection to it."""
    checks = [_connected[name](workspace_id) for name in sorted(_connected)]
    if not checks:
        return Value(False)
    condition = Q(checks[0])
    for check in checks[1:]:
        condition |= Q(check)
    return condition
