"""OpenTelemetry traces: web request -> workflow.execute -> block.execute -> api.call.

Plain Python, no Django. Configured by the standard variables only, read by the SDK itself
(`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_*`, `OTEL_TRACES_SAMPLER`,
`OTEL_BSP_*`). Tracing is on when an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER=otlp`; `OTEL_TRACES_EXPORTER=none`
or `OTEL_SDK_DISABLED=true` turn it off. Off, the SDK is never imported and `span` yields the
API's non-recording span: no provider, no thread, nothing sent.

Per process: the first span in a process builds that process's provider (its exporter thread
and HTTP session), so a gunicorn worker or a Celery pool child never uses what it inherited
from the parent it was forked from.

Trace context crosses processes as a W3C `traceparent` string: an execution row carries the one
current when it was accepted, and the worker makes it the parent of `workflow.execute`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "Context",
    "Span",
    "SpanKind",
    "active",
    "current_traceparent",
    "enabled",
    "failed",
    "parent_from",
    "parent_from_headers",
    "span",
    "tracing_shutdown",
]

Context = otel_context.Context
Span = trace.Span
SpanKind = trace.SpanKind
Attributes = Mapping[str, str | int | float | bool]

logger = logging.getLogger(__name__)
_PROPAGATOR = TraceContextTextMapPropagator()
_lock = threading.Lock()
_pid: int | None = None  # the process the provider below was built in
_provider: Any = None  # opentelemetry.sdk.trace.TracerProvider, when on
_tracer: trace.Tracer | None = None


def enabled() -> bool:
    """Whether this process's environment asks for traces (reads only the environment)."""
    env = os.environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = {e.strip().lower() for e in env.get("OTEL_TRACES_EXPORTER", "").split(",")}
    if "none" in exporters:
        return False
    return "otlp" in exporters or bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def _build() -> None:
    global _provider, _tracer
    # Imported only here: with tracing off the SDK and its exporter cost nothing.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"process.pid": os.getpid()})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "flowplane"}))
    # Sampler from OTEL_TRACES_SAMPLER; endpoint, headers, timeout from OTEL_EXPORTER_OTLP_*.
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _provider, _tracer = provider, provider.get_tracer("flowplane")


def _tracer_here() -> trace.Tracer | None:
    """This process's tracer, built on first use; None when tracing is off."""
    global _pid, _provider, _tracer
    pid = os.getpid()
    if _pid != pid:
        with _lock:
            if _pid != pid:
                _provider = _tracer = None
                if enabled():
                    try:
                        _build()
                    except Exception:  # a bad OTEL_* value: run without traces, say so once
                        logger.exception("tracing.setup_failed")
                _pid = pid
    return _tracer


def active() -> bool:
    """Whether this process records spans (builds its provider on the first call)."""
    return _tracer_here() is not None


def parent_from(traceparent: str) -> Context | None:
    """The context a `traceparent` string names (None for an empty or malformed one)."""
    return parent_from_headers({"traceparent": traceparent})


def parent_from_headers(headers: Mapping[str, str]) -> Context | None:
    """The caller's context from W3C `traceparent`/`tracestate` headers (None without one)."""
    carrier = {name: headers[name] for name in ("traceparent", "tracestate") if headers.get(name)}
    if "traceparent" not in carrier:
        return None
    ctx = _PROPAGATOR.extract(carrier)
    return ctx if trace.get_current_span(ctx).get_span_context().is_valid else None


def current_traceparent() -> str:
    """The current span as a `traceparent` string, "" when there is none (or tracing is off)."""
    if _tracer_here() is None:
        return ""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent", "")


@contextmanager
def span(
    name: str,
    *,
    attributes: Attributes | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Context | None = None,
) -> Iterator[Span]:
    """A span made current for the block, child of `parent` (else of the current span).

    An exception leaving the block marks the span as failed with the exception's type only:
    messages can carry URLs and values that are not the trace's to keep."""
    tracer = _tracer_here()
    if tracer is None:
        yield trace.INVALID_SPAN
        return
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=kind,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except BaseException as exc:
            failed(current, type(exc).__name__)
            raise


def failed(current: Span, reason: str) -> None:
    """Mark a span as failed with a short reason (a code or a type, never a message)."""
    current.set_status(trace.Status(trace.StatusCode.ERROR, reason))
    current.set_attribute("error.type", reason)


def tracing_shutdown() -> None:
    """Send what this process still holds (a pool child or a web worker about to exit)."""
    if _provider is not None and _pid == os.getpid():
        _provider.shutdown()
