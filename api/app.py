"""Starlette application factory: lifespan, middleware, and the two doors (REST, GraphQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from api.access.middleware import AccessMiddleware
from api.db import Database, create_async_db_engine
from api.edge.admission import AdmissionMiddleware
from api.edge.deadline import DeadlineMiddleware
from api.edge.fault_injection import fault_routes
from api.graphql.endpoint import graphql_routes
from api.rest.problems import exception_handlers
from api.rest.routes import rest_routes
from api.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database = Database(create_async_db_engine(settings))
        app.state.db = database
        try:
            yield
        finally:
            await database.dispose()

    # Reliability (issue 8): refuse past the concurrency limit first, then bound the time
    # of everything inside (the access gate's key lookup included).
    middleware = [
        Middleware(AdmissionMiddleware, settings=settings),
        Middleware(DeadlineMiddleware, settings=settings),
    ]
    middleware.append(Middleware(AccessMiddleware, settings=settings))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["ETag", "Location", "Link"],
                max_age=600,
            )
        )
    app = Starlette(
        debug=settings.debug,
        routes=[*rest_routes(), *graphql_routes(settings), *fault_routes()],
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
