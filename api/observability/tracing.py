"""OpenTelemetry: one server span per request, when tracing is enabled and installed.

The packages are an optional extra (``pip install broadsheet[tracing]``). With
``OTEL_EXPORTER_OTLP_ENDPOINT`` set and no tracer provider installed yet (by
``opentelemetry-instrument``, say), spans go to that endpoint over OTLP/HTTP; the usual
``OTEL_*`` variables (service name, headers, sampler) apply. Without the packages the app
runs untraced and says so once in the log.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

log = logging.getLogger("broadsheet.tracing")
_provider_lock = threading.Lock()
_provider_installed = False


def _install_otlp_provider() -> None:
    """The OTLP exporter behind a batch processor, once per process."""
    global _provider_installed
    with _provider_lock:
        if _provider_installed:
            return
        _provider_installed = True
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        if isinstance(trace.get_tracer_provider(), TracerProvider):
            return  # someone configured tracing already; add nothing
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is missing")
            return
        service = os.environ.get("OTEL_SERVICE_NAME", "broadsheet")
        resource = Resource.create({"service.name": service})
        provider = TracerProvider(resource=resource)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)


class RequestTracer:
    def __init__(self, tracer: Tracer) -> None:
        from opentelemetry import propagate
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self._tracer = tracer
        self._extract = propagate.extract
        self._server = SpanKind.SERVER
        self._error = Status(StatusCode.ERROR)

    @contextmanager
    def span(self, scope: Scope, method: str) -> Iterator[Span]:
        """A server span, a child of the caller's ``traceparent`` when one was sent."""
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        client = scope.get("client")
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "url.path": scope["path"],
            "url.scheme": scope.get("scheme", "http"),
            "network.protocol.version": scope.get("http_version", "1.1"),
        }
        if client:
            attributes["client.address"] = client[0]
        if "user-agent" in carrier:
            attributes["user_agent.original"] = carrier["user-agent"]
        with self._tracer.start_as_current_span(
            method, context=self._extract(carrier), kind=self._server, attributes=attributes
        ) as span:
            yield span

    def finish(self, span: Span, method: str, route: str, status: int) -> None:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_status(self._error)


def request_tracer(enabled: bool) -> RequestTracer | None:
    if not enabled:
        return None
    try:
        from opentelemetry import trace
    except ImportError:
        log.warning("tracing is enabled but opentelemetry is not installed: no spans")
        return None
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        try:
            _install_otlp_provider()
        except ImportError:
            log.warning("tracing needs opentelemetry-sdk: pip install 'broadsheet[tracing]'")
    return RequestTracer(trace.get_tracer("broadsheet"))
