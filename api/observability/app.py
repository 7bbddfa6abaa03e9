"""Wiring: the per-app telemetry, the outermost middleware, and the ``/metrics`` route."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from api.observability.metrics import Metrics, mark_process_dead, metrics_endpoint
from api.observability.request_context import RequestContextMiddleware
from api.observability.tracing import RequestTracer, request_tracer
from api.settings import Settings

METRICS_PATH = "/metrics"


class Telemetry:
    """What one app instance measures with: its metrics registry and its tracer."""

    def __init__(self, settings: Settings) -> None:
        self._app: Starlette | None = None
        self.metrics = Metrics(self._pool_in_use) if settings.metrics_enabled else None
        self.tracer: RequestTracer | None = request_tracer(settings.tracing_enabled)

    def bind(self, app: Starlette) -> None:
        self._app = app
        app.state.telemetry = self

    def _pool_in_use(self) -> int | None:
        database = getattr(self._app.state, "db", None) if self._app is not None else None
        if database is None:
            return None
        counts = []
        for engine in database.sync_engines:  # the pool, and SQLite's loop readers
            checkedout: Any = getattr(engine.pool, "checkedout", None)
            if callable(checkedout):
                counts.append(int(checkedout()))
        return sum(counts) if counts else None

    def shutdown(self) -> None:
        mark_process_dead()


def metrics_routes(telemetry: Telemetry) -> list[BaseRoute]:
    if telemetry.metrics is None:
        return []
    endpoint = metrics_endpoint(telemetry.metrics)
    return [Route(METRICS_PATH, endpoint, methods=["GET"], include_in_schema=False)]


class ObservedStarlette(Starlette):
    """Starlette with the request-context layer outside its error middleware.

    Starlette puts ServerErrorMiddleware outside every user middleware; only from outside
    it can the 500 it renders carry ``X-Request-ID`` and be logged with its status.
    """

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        telemetry: Telemetry | None = getattr(self.state, "telemetry", None)
        if telemetry is None:
            return stack
        return RequestContextMiddleware(
            stack, self.router.routes, telemetry.metrics, telemetry.tracer
        )
