"""Value types of the engine: frozen dataclasses, JSON-friendly via ``to_dict``/``from_dict``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem of a graph. ``field`` is a dotted path (``config.mapping.text``) or None."""

    node_id: str | None
    field: str | None
    code: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    version: str | None
    config: Mapping[str, Any]
    policies: Mapping[str, Any] | None = None
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    source: str
    target: str
    handle: str | None = None


class StepStatus(StrEnum):
    RUNNING = "running"  # recorded when a step starts, so a lost worker is noticed
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    WAITING = "waiting"  # parked: see StepRecord.park


TERMINAL = frozenset({StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED})


@dataclass(frozen=True, slots=True)
class StepError:
    """The error object of a failed step; routed as data to ``error`` edges."""

    message: str
    code: str
    retryable: bool = False
    node_id: str | None = None
    block: str | None = None
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "code": self.code,
            "retryable": self.retryable,
            "node_id": self.node_id,
            "block": self.block,
            "attempts": self.attempts,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepError:
        return cls(
            message=data["message"],
            code=data["code"],
            retryable=bool(data.get("retryable", False)),
            node_id=data.get("node_id"),
            block=data.get("block"),
            attempts=int(data.get("attempts", 0)),
        )


@dataclass(frozen=True, slots=True)
class ParkInfo:
    """Why and until when a step waits. ``kind``: ``block`` (the block parked), ``retry``
    (a long retry back-off) or ``rate_limit`` (waiting for the rate window)."""

    until: datetime | None
    resume_required: bool
    reason: str
    kind: Literal["block", "retry", "rate_limit"] = "block"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class StepRecord:
    """A checkpoint of one step, as the store keeps it.

    ``key`` is the node id, with ``[i]`` appended per enclosing loop item
    (``send[3]``, ``inner[0][2]``). ``input`` is ``{"config": resolved, "inputs": ...}``.
    ``handled`` marks a failure routed to an ``error`` edge. ``lost`` counts redeliveries
    that found this step still running.
    """

    key: str
    node_id: str
    block: str
    status: StepStatus
    input: Any = None
    output: Any = None
    error: StepError | None = None
    handles: tuple[str, ...] = ()
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    park: ParkInfo | None = None
    variables: Mapping[str, Any] | None = None
    handled: bool = False
    cached: bool = False
    lost: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for a database row or an API response."""
        park = self.park
        return {
            "key": self.key,
            "node_id": self.node_id,
            "block": self.block,
            "status": self.status.value,
            "input": self.input,
            "output": self.output,
            "error": self.error.to_dict() if self.error else None,
            "handles": list(self.handles),
            "attempts": self.attempts,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "park": None
            if park is None
            else {
                "until": _iso(park.until),
                "resume_required": park.resume_required,
                "reason": park.reason,
                "kind": park.kind,
            },
            "variables": dict(self.variables) if self.variables is not None else None,
            "handled": self.handled,
            "cached": self.cached,
            "lost": self.lost,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepRecord:
        park = data.get("park")
        return cls(
            key=data["key"],
            node_id=data["node_id"],
            block=data["block"],
            status=StepStatus(data["status"]),
            input=data.get("input"),
            output=data.get("output"),
            error=StepError.from_dict(data["error"]) if data.get("error") else None,
            handles=tuple(data.get("handles") or ()),
            attempts=int(data.get("attempts", 0)),
            started_at=_dt(data.get("started_at")),
            finished_at=_dt(data.get("finished_at")),
            park=None
            if not park
            else ParkInfo(
                until=_dt(park.get("until")),
                resume_required=bool(park["resume_required"]),
                reason=park.get("reason", ""),
                kind=park.get("kind", "block"),
            ),
            variables=data.get("variables"),
            handled=bool(data.get("handled", False)),
            cached=bool(data.get("cached", False)),
            lost=int(data.get("lost", 0)),
        )


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One invocation of an execution. Call ``run`` again with the same ``execution_id``
    to resume it (after a redelivery, a wake-up or a resume call).

    ``workflow`` and ``execution`` extras are exposed to expressions as ``workflow`` and
    ``execution`` (the engine adds ``execution.id``).
    """

    execution_id: str
    trigger_payload: Any = None
    workspace_id: str | None = None
    workflow: Mapping[str, Any] = field(default_factory=dict)
    execution: Mapping[str, Any] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)


OutcomeStatus = Literal["succeeded", "failed", "waiting", "cancelled"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``run`` returns.

    - ``succeeded``: ``output`` is the workflow output (see runner docs).
    - ``failed``: ``error`` names the failing node; ``error_branch_ran`` says whether the
      workflow-level error branch ran.
    - ``waiting``: park the execution; wake it at ``wake_at`` (if set) and/or when a resume
      payload arrives for one of ``awaiting`` (step keys).
    - ``cancelled``: the cancel port said stop; in-flight steps finished and were recorded.
    """

    status: OutcomeStatus
    output: Any = None
    error: StepError | None = None
    wake_at: datetime | None = None
    awaiting: tuple[str, ...] = ()
    steps: Mapping[str, StepRecord] = field(default_factory=dict)
    error_branch_ran: bool = False
