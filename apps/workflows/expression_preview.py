"""One expression or template evaluated on sample data by the engine's own evaluator, so the
editor's preview and a run can never disagree (the browser has no evaluator of its own).

The evaluator is JMESPath over data only (engine/expressions.py): nothing here can run code.
Input and answer are bounded so a preview costs about what one config field costs in a run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from apps.core.exceptions import InvalidInput
from apps.workflows.engine.errors import ExpressionEvalError, ExpressionSyntaxError
from apps.workflows.engine.expressions import resolve

# The sample data: the last run's outputs of the upstream nodes, usually a few KiB.
MAX_DATA_BYTES = 512 * 1024
# The answer is shown under a form field; a larger one is a mistake, not a preview.
MAX_RESULT_BYTES = 256 * 1024


def _encoded_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def expression_preview(*, field: str, text: str, bare: bool, data: Mapping[str, Any]) -> Any:
    """The value of `text` over `data` (a run's context: trigger, nodes.<id>.output, vars…).

    `bare`: `text` is one expression without braces. Every failure is an InvalidInput on
    `field` with the evaluator's own message.
    """
    sample_data_check(data)
    if bare:
        if "{{" in text or "}}" in text:
            _refuse(field, "Give the expression without {{ }}, or send it as a template.")
        text = f"{{{{ {text} }}}}"
    try:
        value = resolve(text, data, field)
    except ExpressionSyntaxError as exc:
        _refuse(field, f"invalid expression {{{{ {exc.expression} }}}}: {exc.detail}")
    except ExpressionEvalError as exc:
        _refuse(field, str(exc).removeprefix(f"{field}: "))
    if _encoded_size(value) > MAX_RESULT_BYTES:
        _refuse(field, f"The result is larger than {MAX_RESULT_BYTES // 1024} KiB.")
    return value


def sample_data_check(data: Mapping[str, Any]) -> None:
    """InvalidInput on `data` when the sample is larger than a preview may cost."""
    if _encoded_size(data) > MAX_DATA_BYTES:
        _refuse("data", f"The sample data is larger than {MAX_DATA_BYTES // 1024} KiB.")


def _refuse(field: str, message: str) -> None:
    raise InvalidInput(f"{field}: {message}", fields={field: [message]})
