"""The lean path's HTTP side: a plain GraphQL-over-HTTP request for a known query is
answered here, before strawberry's view sees it; anything else returns None and goes on
to the view (which answers malformed requests, mutations and errors as it always has).

The request is read and planned before anything reaches the database, so a request the
plans do not cover costs nothing there; a covered one runs on the driver
(``Database.reads``).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from api.db import Database
from api.graphql.execution.fast_path import FastPath
from api.graphql.metrics import record_graphql
from api.graphql.persisted import PersistedQueries, PersistedQueryError

_REQUEST_KEYS = frozenset({"query", "variables", "operationName", "extensions"})
_JSON_VALUED = ("variables", "extensions")


def _post_params(body: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not data.keys() <= _REQUEST_KEYS:
        return None
    return data


def _get_params(request: Request) -> dict[str, Any] | None:
    params = request.query_params
    if not params.keys() <= _REQUEST_KEYS or len(params.multi_items()) != len(params):
        return None
    data: dict[str, Any] = dict(params)
    for name in _JSON_VALUED:
        if name in data:
            try:
                data[name] = orjson.loads(data[name])
            except orjson.JSONDecodeError:
                return None
    return data


async def request_params(request: Request) -> dict[str, Any] | None:
    """A GET's or a JSON POST's parameters, or None for anything else."""
    if request.method == "GET":
        return _get_params(request)
    if request.method != "POST":
        return None
    content_type = request.headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() != "application/json":
        return None
    return _post_params(await request.body())


async def lean_response(
    fast: FastPath, persisted: PersistedQueries, request: Request
) -> bytes | None:
    """The answer's body (a 200) for a known query, or None for the standard view to
    answer."""
    data = await request_params(request)
    if data is None:
        return None
    try:
        data = persisted.resolve(data)
    except PersistedQueryError:
        return None  # the view answers it, with its code
    query, variables, operation_name = (
        data.get("query"),
        data.get("variables"),
        data.get("operationName"),
    )
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
    ):
        return None
    prepared = fast.prepare(query, operation_name)
    ready = None if prepared is None else fast.ready(prepared, variables)
    if ready is None:
        return None
    database: Database = request.app.state.db
    try:
        async with database.reads() as reads:
            body = await fast.execute(reads, ready)
    except Exception:  # the database failed: the standard path reports it as it should
        return None
    if body is None:
        return None
    record_graphql(request, query, operation_name, [])
    return body
