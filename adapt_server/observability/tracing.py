"""OpenTelemetry tracing: the gRPC server's spans (opentelemetry-instrumentation-grpc) and spans around job
stages, exported over OTLP/HTTP (protobuf) when OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and off otherwise.

Off means off: without either variable nothing of the OpenTelemetry SDK or exporter is imported, no
provider or exporter thread exists, `span()` is a plain no-op context manager and no network attempt is
made (tests/e2e/test_no_egress.py runs the server this way). The standard OTEL_* variables apply
(OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_SCHEDULE_DELAY, ...).

Each process configures itself: the server ("adapt-server"), every job worker ("adapt-worker") and every Ray
worker that runs a shard ("adapt-ray-worker"); a shard's span is a child of the driver's span through a W3C
trace context carried with the task (`carrier()`), so one job is one trace across nodes.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

ENDPOINT_ENVS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
TRACER_NAME = "adapt"
_lock = threading.Lock()
_state: dict = {"provider": None}


def enabled() -> bool:
    """True when an OTLP endpoint is configured (the environment decides, in every process)."""
    return any(os.environ.get(name, "").strip() for name in ENDPOINT_ENVS)


def configure(service_name: str) -> bool:
    """Installs the tracer provider with an OTLP/HTTP exporter once per process; False (and nothing done)
    when tracing is off."""
    if not enabled():
        return False
    with _lock:
        if _state["provider"] is not None:
            return True
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        name = os.environ.get("OTEL_SERVICE_NAME") or service_name
        provider = TracerProvider(resource=Resource.create({"service.name": name, "process.pid": os.getpid()}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _state["provider"] = provider
    return True


def server_interceptors() -> list:
    """The grpc.aio server interceptor that traces every RPC (empty when tracing is off)."""
    if not configure("adapt-server"):
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor
    return [aio_server_interceptor()]


@contextlib.contextmanager
def span(name: str, attributes: dict | None = None, context: dict | None = None) -> Iterator[object]:
    """A span around the block (a child of the current one, or of the remote parent in `context`, a W3C
    carrier from `carrier()`); yields the span, or None when tracing is off."""
    if _state["provider"] is None:
        yield None
        return
    from opentelemetry import trace
    from opentelemetry.propagate import extract
    parent = extract(context) if context else None
    with trace.get_tracer(TRACER_NAME).start_as_current_span(name, context=parent,
                                                              attributes=_clean(attributes)) as current:
        yield current


def carrier() -> dict:
    """The current trace context as W3C headers ({} when tracing is off), to continue a trace elsewhere."""
    if _state["provider"] is None:
        return {}
    from opentelemetry.propagate import inject
    headers: dict = {}
    inject(headers)
    return headers


def set_attributes(current, **attributes) -> None:
    if current is not None:
        current.set_attributes(_clean(attributes))


def flush(timeout_ms: int = 5000) -> None:
    """Exports the spans still buffered (at the end of a job, before a process exits)."""
    provider = _state["provider"]
    if provider is not None:
        provider.force_flush(timeout_ms)


def _clean(attributes: dict | None) -> dict:
    return {k: v for k, v in (attributes or {}).items() if isinstance(v, (str, bool, int, float))}
