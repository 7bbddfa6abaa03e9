"""Per request: an id (accepted or made), timing, one JSON log line, metrics and a span.

The outermost ASGI layer (outside Starlette's error middleware), so the ``X-Request-ID``
header is on every response, 500s included, and the log line sees the final status. Pure
ASGI: no task or body buffering on the hot path.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import nullcontext
from typing import Any

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability.logging_setup import current_request_id
from api.observability.metrics import Metrics
from api.observability.tracing import RequestTracer

HEADER = b"x-request-id"
UNMATCHED = "<unmatched>"
# A client's id is kept only if it is short and plain: it ends up in logs and headers.
_SANE_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
access_log = logging.getLogger("broadsheet.access")


def request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == HEADER:
            if _SANE_ID.fullmatch(value):
                accepted: str = value.decode("ascii")
                return accepted
            break
    # 128 random bits in the 32 hex digits of a UUID's hex form (uuid4() costs 4x more).
    return os.urandom(16).hex()


def route_template(scope: Scope, routes: list[BaseRoute]) -> str:
    """The matched route's path template, never the raw path (bounded label values)."""
    route = scope.get("route")
    if route is None:
        # Refused before routing (auth, rate limit, admission): match once, here.
        for candidate in routes:
            match, _ = candidate.matches(scope)
            if match is not Match.NONE:
                route = candidate
                break
        else:
            return UNMATCHED
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        routes: list[BaseRoute],
        metrics: Metrics | None,
        tracer: RequestTracer | None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        token = current_request_id.set(request_id)
        header = (HEADER, request_id.encode("ascii"))
        status = 500  # what the client gets if the app fails before it answers
        method: str = scope["method"]

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.in_flight.inc()
        span_scope = self.tracer.span(scope, method) if self.tracer else nullcontext(None)
        route, span = UNMATCHED, None
        try:
            with span_scope as span:
                try:
                    await self.app(scope, receive, sending)
                finally:
                    route = route_template(scope, self.routes)
                    if span is not None and self.tracer is not None:
                        self.tracer.finish(span, method, route, status)
        finally:
            seconds = time.perf_counter() - started
            if metrics is not None:
                metrics.in_flight.dec()
                metrics.observe_request(method, route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                _log_request(scope, state, method, route, status, seconds, span)
            current_request_id.reset(token)


def _log_request(
    scope: Scope,
    state: dict[str, Any],
    method: str,
    route: str,
    status: int,
    seconds: float,
    span: Any,
) -> None:
    key = state.get("api_key")
    client = scope.get("client")
    fields: dict[str, Any] = {
        "method": method,
        "route": route,
        "path": scope["path"],
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "key_id": getattr(key, "key_id", None),
        "client": client[0] if client else None,
    }
    operation = state.get("graphql_operation")
    if operation is not None:
        fields["graphql_operation"] = operation
    if span is not None:
        context = span.get_span_context()
        if context.is_valid:
            fields["trace_id"] = format(context.trace_id, "032x")
    extra = {"fields": fields, "request_id": state["request_id"]}
    access_log.info("%s %s %d", method, route, status, extra=extra)
