"""Declared operations: one object per route drives dispatch, validation and OpenAPI.

A handler receives a validated ``Call`` (its session is opened and closed here, at the
edge) and returns a ``Reply``; it translates, it never runs SQL itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.db import Reads, as_reads
from api.db.database import Database
from api.domain import shared as idempotency
from api.domain.access import KeyRecord
from api.domain.changes import written_position
from api.domain.purges import FEED
from api.domain.shared import StoredResponse
from api.errors import Forbidden, InvalidInput, InvalidParam, Unauthenticated
from api.http.caching import (
    JSON_MEDIA_TYPE,
    PRIVATE,
    CacheClass,
    cache_control,
    cached_json,
    is_private,
    purge_key_headers,
    strong_etag,
)
from api.http.positions import position_headers
from api.http.problems import NOSNIFF
from api.models import KeyScope
from api.rest.core.bodies import parse_json_body, read_body
from api.rest.core.idempotency import (
    claim_or_wait,
    release_claim,
    replay,
    request_hash,
    request_key,
)
from api.rest.core.params import NoQuery, QueryModel, parse_query
from api.settings import Settings


@dataclass(frozen=True, slots=True)
class PathParam:
    name: str
    description: str
    pattern: str = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
    max_length: int = 200
    example: str = "anthropic"
    # The field of the resource's own representation that fills this parameter: OpenAPI
    # links from a create or read to the item's other operations are derived from it.
    response_field: str = "slug"


class Call:
    """A validated request for a handler: its query, path values and body, and where it
    reads. An operation that reads on the driver (``Operation.driver_reads``) has no
    session; every other has one, and its ``reads`` go through it."""

    __slots__ = ("_reads", "_session", "body", "path", "query", "request")

    def __init__(
        self,
        request: Request,
        source: AsyncSession | Reads,
        query: Any,
        path: dict[str, str],
        body: Any = None,
    ) -> None:
        self.request, self.query, self.path, self.body = request, query, path, body
        self._session = source if isinstance(source, AsyncSession) else None
        self._reads = as_reads(source)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("this operation reads on the driver: it has no session")
        return self._session

    @property
    def reads(self) -> Reads:
        return self._reads


@dataclass(frozen=True, slots=True)
class Reply:
    payload: Any
    last_modified: dt.datetime | None = None
    # Versioned resources put their version in front of the content hash (If-Match).
    etag_prefix: str = ""
    location: str | None = None
    # Extra response headers (a feed's Link to its syndication feeds).
    headers: dict[str, str] | None = None
    # The purge keys of what the payload shows (api.domain.purges.keys), computed only for
    # an answer a shared cache may keep.
    purge_keys: Callable[[], Iterable[str]] | None = None


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
    # A public GET's freshness comes from its route class (api.http.caching); a fixed
    # ``cache_control`` ("no-store" for health checks and private reads) overrides it.
    cache_class: CacheClass = CacheClass.FEED
    cache_control: str | None = None
    # Purge keys every answer names besides the reply's own: "feed" for a list or a figure
    # counted over articles; none for a page of one thing.
    purge_keys: tuple[str, ...] = (FEED,)
    # Statuses beyond the ones every GET can answer (200, 304, 400, 405, 500).
    statuses: tuple[int, ...] = ()
    method: str = "GET"
    # A JSON request body, validated into this model (writes).
    body: type[BaseModel] | None = None
    # The key scope the caller needs; None for public reads.
    scope: KeyScope | None = None
    success: int = 200
    # PUT/PATCH must name the version they change (428 without If-Match).
    requires_if_match: bool = False
    # What a GET answers with; a handler serving another media type replies with bytes.
    media_type: str = JSON_MEDIA_TYPE
    # A read that may run long (ranking, scoring): kept off the loop's thread on SQLite.
    offload: bool = False
    # Its handler only uses ``call.reads``: run on the driver, no session (``Database.reads``).
    driver_reads: bool = False

    @property
    def asgi_endpoint(self) -> Callable[[Request], Awaitable[Response]]:
        return self.endpoint or (self._endpoint if self.method == "GET" else self._write)

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
        authorize(request, self.scope)  # private reads (webhook subscriptions)
        path = self._path_values(request)
        query = parse_query(self.query, request.query_params, request.scope["query_string"])
        assert self.handler is not None
        database: Database = request.app.state.db
        if self.driver_reads:
            async with database.reads() as reads:
                reply = await self.handler(Call(request, reads, query, path))
        else:
            # Private reads (webhook subscriptions) leave no position to wait for: primary.
            primary = self.scope is not None
            async with database.session(offload=self.offload, primary=primary) as session:
                reply = await self.handler(Call(request, session, query, path))
        payload = reply.payload
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        control, headers = self._cache_headers(request, reply)
        return cached_json(
            request,
            body,
            cache_control=control,
            last_modified=reply.last_modified,
            etag_prefix=reply.etag_prefix,
            media_type=self.media_type,
            extra_headers=headers,
        )

    def _cache_headers(self, request: Request, reply: Reply) -> tuple[str, dict[str, str] | None]:
        """``Cache-Control`` and, for an answer shared caches may keep, its purge keys."""
        if self.cache_control is not None:
            return self.cache_control, reply.headers
        settings: Settings = request.app.state.settings
        if is_private(request, settings):
            return PRIVATE, reply.headers
        keys = [*self.purge_keys, *(reply.purge_keys() if reply.purge_keys else ())]
        headers = purge_key_headers(keys)
        if reply.headers:
            headers.update(reply.headers)
        return cache_control(self.cache_class, settings), headers

    async def _write(self, request: Request) -> Response:
        authorize(request, self.scope)
        path = self._path_values(request)
        query = parse_query(self.query, request.query_params, request.scope["query_string"])
        settings: Settings = request.app.state.settings
        raw = b""
        body = None
        if self.body is not None:
            raw = await read_body(request, max_bytes=settings.max_body_bytes)
            body = parse_json_body(raw, self.body)
        database: Database = request.app.state.db
        key = request_key(request) if self.method == "POST" else None
        principal = _principal(request)
        if key is not None:
            stored = await claim_or_wait(
                database,
                principal,
                key,
                request_hash(request.method, request.url.path, request.url.query, raw),
                wait_seconds=settings.idempotency_wait_seconds,
            )
            if stored is not None:
                return replay(stored)
        try:
            async with database.session(write=True) as session:
                assert self.handler is not None
                reply = await self.handler(Call(request, session, query, path, body))
                written = position_headers(written_position(session), database.replicas)
                response = self._stored_response(reply, written)
                if key is not None:
                    await idempotency.complete(session, principal, key, response)
        except BaseException:
            if key is not None:  # let a corrected retry run instead of replaying a failure
                await release_claim(database, principal, key)
            raise
        return Response(
            response.body or None, status_code=response.status, headers=response.headers
        )

    def _stored_response(self, reply: Reply, written: dict[str, str]) -> StoredResponse:
        """The answer, as stored for idempotent replays; ``written``: the position headers."""
        if self.success == 204:
            return StoredResponse(204, written, b"")
        content = orjson.dumps(reply.payload)
        headers = {
            "ETag": strong_etag(content, reply.etag_prefix),
            "Cache-Control": "no-store",
            "Content-Type": JSON_MEDIA_TYPE,
            **written,
        }
        if reply.location is not None:
            headers["Location"] = reply.location
        return StoredResponse(self.success, headers, content)


def _principal(request: Request) -> str:
    key: KeyRecord | None = request.state.api_key
    return f"key:{key.key_id}" if key is not None else "anonymous"


def routes_for(operations: Sequence[Operation]) -> list[Route]:
    """One route per path, dispatching on the method, so a 405 lists every allowed method."""
    by_path: dict[str, dict[str, Callable[[Request], Awaitable[Response]]]] = {}
    names: dict[str, str] = {}
    for operation in operations:
        by_path.setdefault(operation.path, {})[operation.method] = operation.asgi_endpoint
        names.setdefault(operation.path, operation.operation_id)
    routes = []
    for path, table in by_path.items():
        if "GET" in table:
            table["HEAD"] = table["GET"]

        async def dispatch(
            request: Request, table: dict[str, Callable[[Request], Awaitable[Response]]] = table
        ) -> Response:
            response = await table[request.method](request)
            response.headers.update(NOSNIFF)
            return response

        routes.append(Route(path, dispatch, methods=list(table), name=names[path]))
    return routes


def authorize(request: Request, scope: KeyScope | None) -> None:
    """401 without a key, 403 with one whose scope is too small."""
    if scope is None:
        return
    key: KeyRecord | None = request.state.api_key
    if key is None:
        raise Unauthenticated(detail=f"this operation needs an API key with the {scope} scope")
    if not key.scope.allows(scope):
        raise Forbidden(detail=f"this key has the {key.scope} scope; {scope} is needed")
