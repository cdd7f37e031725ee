"""Server-sent events for the canvas: an execution's status and step updates as they land."""

import json
import time
from collections.abc import Iterator
from typing import Any

from django.db import close_old_connections
from rest_framework.renderers import BaseRenderer

from apps.workflows.api.serializers import ExecutionOutput, ExecutionStepOutput
from apps.workflows.models import Execution

POLL_SECONDS = 0.25
# A stream ends after this long; EventSource reconnects by itself.
MAX_SECONDS = 55


class EventStreamRenderer(BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        return f"event: error\ndata: {json.dumps(data)}\n\n".encode()


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


def execution_event_stream(execution_id: Any) -> Iterator[str]:
    seen: dict[int, str] = {}
    last_status = None
    deadline = time.monotonic() + MAX_SECONDS
    try:
        while True:
            execution = Execution.objects.filter(pk=execution_id).first()
            if execution is None:
                return
            for step in execution.steps.all():
                stamp = f"{step.status}:{step.attempts}:{step.finished_at}"
                if seen.get(step.pk) != stamp:
                    seen[step.pk] = stamp
                    yield _event("step", ExecutionStepOutput(step).data)
            if execution.status != last_status:
                last_status = execution.status
                yield _event("status", ExecutionOutput(execution).data)
            if execution.is_finished or time.monotonic() > deadline:
                yield _event("end", {"status": execution.status})
                return
            yield ": keep-alive\n\n"
            time.sleep(POLL_SECONDS)
    finally:
        close_old_connections()
