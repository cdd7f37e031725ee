"""How much the rest of the platform uses each connector, without this app importing it.

Apps above the catalogue (credentials, workflows) register here, in their ``ready()``, what
counts as a use of a connector and what makes a workspace connected to one. Each hook returns
a query expression correlated to the outer connector row (``OuterRef("pk")`` /
``OuterRef("slug")``), so the catalogue list annotates and sorts by them in one SQL query.
The Status page asks the registered connection listers for what connects a workspace to each
connector (credentials register theirs), to show it beside the connector's calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Expression, IntegerField, Q, Value
from django.db.models.functions import Coalesce

UseCounter = Callable[[], Any]
ConnectedCheck = Callable[[Any], Any]


@dataclass(frozen=True)
class Connection:
    """What connects a workspace to a connector (a credential): metadata, never a secret."""

    connector_id: int
    id: str
    name: str
    kind: str
    status: str
    needs_reauth: bool = False
    expires_at: datetime | None = None
    last_error: str = ""


ConnectionLister = Callable[[Any], Iterable[Connection]]  # workspace_id -> its connections

_counters: dict[str, UseCounter] = {}
_connected: dict[str, ConnectedCheck] = {}
_listers: dict[str, ConnectionLister] = {}


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


def register_connection_lister(name: str, lister: ConnectionLister) -> None:
    """``lister(workspace_id)`` -> every connection the workspace holds, to any connector."""
    _listers[name] = lister


def connections(workspace_id: Any) -> dict[int, list[Connection]]:
    """The workspace's connections by connector id, in lister-name order."""
    found: dict[int, list[Connection]] = {}
    for name in sorted(_listers):
        for connection in _listers[name](workspace_id):
            found.setdefault(connection.connector_id, []).append(connection)
    return found
