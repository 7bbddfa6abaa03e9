"""Declared operations: one object per route drives dispatch, validation and OpenAPI.

A handler receives a validated ``Call`` (its session is opened and closed here, at the
edge) and returns a ``Reply``; it translates, it never runs SQL itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.db import Database
from api.errors import InvalidInput, InvalidParam
from api.rest.caching import cached_json
from api.rest.params import NoQuery, QueryModel, parse_query


@dataclass(frozen=True, slots=True)
class PathParam:
    name: str
    description: str
    pattern: str = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
    max_length: int = 200
    example: str = "anthropic"


@dataclass(slots=True)
class Call:
    request: Request
    session: AsyncSession
    query: Any
    path: dict[str, str]


@dataclass(frozen=True, slots=True)
class Reply:
    payload: Any
    last_modified: dt.datetime | None = None


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Operation:
    path: str
    operation_id: str
    summary: str
    tag: str
    response: type[BaseModel]
    handler: Handler | None = None
    # For the few routes that manage their own response (health checks): bypasses dispatch.
    endpoint: Callable[[Request], Awaitable[Response]] | None = None
    description: str = ""
    query: type[QueryModel] = NoQuery
    path_params: tuple[PathParam, ...] = ()
    cache_control: str = "public, max-age=30, stale-while-revalidate=30"
    # Statuses beyond the ones every GET can answer (200, 304, 400, 405, 500).
    statuses: tuple[int, ...] = ()

    def route(self) -> Route:
        endpoint = self.endpoint or self._endpoint
        return Route(self.path, endpoint, methods=["GET"], name=self.operation_id)

    def _path_values(self, request: Request) -> dict[str, str]:
        values: dict[str, str] = {}
        problems = []
        for param in self.path_params:
            value = str(request.path_params[param.name])
            if len(value) > param.max_length or not re.fullmatch(param.pattern, value):
                problems.append(InvalidParam(param.name, f"must match {param.pattern}"))
            values[param.name] = value
        if problems:
            detail = "; ".join(f"{p.name}: {p.reason}" for p in problems)
            raise InvalidInput(detail=detail, status=400, invalid_params=problems)
        return values

    async def _endpoint(self, request: Request) -> Response:
        path = self._path_values(request)
        query = parse_query(self.query, request.query_params, request.scope["query_string"])
        assert self.handler is not None
        database: Database = request.app.state.db
        async with database.session() as session:
            reply = await self.handler(Call(request, session, query, path))
        body = orjson.dumps(reply.payload)
        return cached_json(
            request, body, cache_control=self.cache_control, last_modified=reply.last_modified
        )
