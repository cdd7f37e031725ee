"""Engine exceptions and the error codes recorded on failed steps.

Codes are stable strings: the UI, the API and tests match on them, never on messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apps.workflows.engine.types import ValidationIssue

# Step error codes set by the engine itself (blocks choose their own via BlockError.code).
EXPRESSION_ERROR = "expression_error"  # an expression failed to evaluate at run time
INVALID_CONFIG = "invalid_config"  # resolved config does not match the block's schema
OUTPUT_NOT_JSON = "output_not_json"  # a block returned something that is not JSON data
INVALID_RESULT = "invalid_result"  # a block returned something that is not a BlockResult
UNKNOWN_HANDLE = "unknown_handle"  # a block activated a port it does not declare
TIMEOUT = "timeout"  # the step ran past its timeout policy
CIRCUIT_OPEN = "circuit_open"  # the block's breaker is open
EXCEPTION = "exception"  # an unexpected exception escaped the block
WORKER_LOST = "worker_lost"  # the step was running when its worker died, too many times
TOO_MANY_ORPHANS = "too_many_orphans"  # timed-out threads still running; refuse new ones
STEP_BUDGET = "step_budget_exceeded"  # the run recorded max_steps steps; no new one starts
OUTPUT_TOO_LARGE = "output_too_large"  # one step's output is over the per-step byte limit
RUN_OUTPUT_BUDGET = "run_output_budget_exceeded"  # the run's outputs are over their budget

NON_RETRYABLE_CODES = frozenset(
    {
        EXPRESSION_ERROR,
        INVALID_CONFIG,
        OUTPUT_NOT_JSON,
        INVALID_RESULT,
        UNKNOWN_HANDLE,
        WORKER_LOST,
        STEP_BUDGET,
        OUTPUT_TOO_LARGE,
        RUN_OUTPUT_BUDGET,
    }
)


class EngineError(Exception):
    """Base class of every exception the engine raises on purpose."""


class GraphInvalid(EngineError):
    """The graph has validation errors; ``issues`` lists all of them."""

    def __init__(self, issues: Sequence[ValidationIssue]) -> None:
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        head = "; ".join(f"{i.node_id or '-'}: {i.message}" for i in errors[:3])
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"graph has {len(errors)} error(s): {head}{more}")


class ExpressionSyntaxError(EngineError):
    """An expression in a config value does not parse."""

    def __init__(self, field: str, expression: str, detail: str) -> None:
        self.field = field
        self.expression = expression
        self.detail = detail
        super().__init__(f"{field}: invalid expression {{{{ {expression} }}}}: {detail}")


class ExpressionEvalError(EngineError):
    """An expression parsed but failed on the data (e.g. a function given the wrong type)."""


class StepBudgetExceeded(EngineError):
    """Raised into a loop's body runner once the run has recorded ``max_steps`` steps."""


class ExecutionCancelled(EngineError):
    """Raised inside the engine when the cancel port says stop; never escapes ``run``."""


class UnknownNode(EngineError):
    """A re-run or test run named a node that is not in the graph."""
