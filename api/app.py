"""Starlette application factory: lifespan, middleware, and the two doors (REST, GraphQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from api.access.middleware import AccessMiddleware
from api.db.database import (
    Database,
    create_async_db_engine,
    create_driver_reads,
    create_loop_read_engine,
    create_replicas,
    write_lane_for,
)
from api.db.replicas import POSITION_HEADER
from api.domain import purges as purge_worker
from api.domain import webhooks as webhook_worker
from api.edge.admission import AdmissionMiddleware
from api.edge.deadline import DeadlineMiddleware
from api.edge.early_answers import EarlyAnswerMiddleware
from api.edge.fault_injection import fault_routes
from api.edge.memory import cap_malloc_arenas, startup_frozen
from api.edge.read_position import ReadPositionMiddleware
from api.edge.streams import StreamLimitsMiddleware
from api.graphql.endpoint import graphql_routes
from api.http.problems import exception_handlers
from api.observability import ObservedStarlette, Telemetry, metrics_routes
from api.rest.contract.docs import docs_routes
from api.rest.routes import rest_routes
from api.settings import Settings, get_settings
from api.web.routes import web_routes


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        cap_malloc_arenas(settings.malloc_arena_max)
        engine, loop_reads = create_async_db_engine(settings), create_loop_read_engine(settings)
        database = Database(
            engine,
            loop_reads=loop_reads,
            driver_reads=create_driver_reads(settings, engine, loop_reads),
            replicas=create_replicas(settings),
            write_lane=write_lane_for(engine.dialect.name, settings),
        )
        if database.replicas is not None:
            database.replicas.start()
        app.state.db = database
        try:
            async with (
                webhook_worker.running(database, settings),
                purge_worker.running(database, settings),
            ):
                with startup_frozen(enabled=settings.gc_freeze):
                    yield
        finally:
            await database.dispose()
            telemetry.shutdown()

    # Reliability: refuse past the concurrency limit first, then bound the time
    # of everything inside (the access gate's key lookup included).
    middleware = [
        # Outermost, so every answer given before the body was read closes the connection.
        Middleware(EarlyAnswerMiddleware),
        Middleware(AdmissionMiddleware, settings=settings),
        Middleware(DeadlineMiddleware, settings=settings),
        # Streams per client, WebSockets per worker: refused before any key lookup.
        Middleware(StreamLimitsMiddleware, settings=settings),
    ]
    middleware.append(Middleware(AccessMiddleware, settings=settings))
    if settings.replica_urls:  # without replicas every read sees every write already
        middleware.append(Middleware(ReadPositionMiddleware))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["ETag", "Location", "Link", "X-Request-ID", POSITION_HEADER],
                max_age=600,
            )
        )
    # Observability: request ids, the per-request log line, /metrics, spans (outermost layer).
    telemetry = Telemetry(settings)
    app = ObservedStarlette(
        debug=settings.debug,
        # The reference frontend last: its pages never shadow an API path.
        routes=[
            # /graphql first: no other path overlaps it, and the hottest reads then skip
            # matching against every REST route.
            *graphql_routes(settings),
            *rest_routes(),
            *docs_routes(),  # /openapi.json and /docs: the REST contract
            *metrics_routes(telemetry),
            *fault_routes(),
            *web_routes(),
        ],
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    # Starlette answers "/path/" with a redirect built from the Host header, which a client
    # controls: an unknown path with a trailing slash is a 404 like any other.
    app.router.redirect_slashes = False
    app.state.settings = settings
    telemetry.bind(app)
    return app
