"""Test-only routes that are slow on purpose: for the deadline, drain and budget tests.

Mounted only when the environment variable ``BROADSHEET_TEST_FAULT_ROUTES`` is ``1``
(never in production, never in the OpenAPI document). Each goes through the same edge as
the real API: admission, deadline, access gate, one session per request, error handlers.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from api.db.database import Database
from api.edge.lifecycle import draining

ENV_FLAG = "BROADSHEET_TEST_FAULT_ROUTES"
# SQLite has no sleep: a recursive count that takes seconds of CPU, interrupted by budget.
_SQLITE_HEAVY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) "
    "SELECT count(*) FROM c"
)


def enabled() -> bool:
    return os.environ.get(ENV_FLAG) == "1"


def _seconds(request: Request) -> float:
    return min(float(request.query_params.get("seconds", "1")), 120.0)


async def slow(request: Request) -> Response:
    """Sleeps, then answers with a body large enough to notice a cut (64 KiB).

    ``X-Test-Draining`` tells whether shutdown had begun when the answer was made.
    """
    await asyncio.sleep(_seconds(request))
    headers = {"X-Test-Draining": "true" if draining.active else "false"}
    return Response(b"x" * 65536, headers=headers, media_type="application/octet-stream")


async def stream(request: Request) -> Response:
    """Starts its response at once, then sends a chunk every ``seconds`` / 4, five times."""
    pause = _seconds(request) / 4

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 1024
            await asyncio.sleep(pause)

    return StreamingResponse(chunks(), media_type="application/octet-stream")


async def slow_query(request: Request) -> Response:
    """Holds a database session running one long statement (pg_sleep, or a heavy CTE)."""
    seconds = _seconds(request)
    database: Database = request.app.state.db
    async with database.session() as session:
        if database.backend == "postgresql":
            await session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        else:
            await session.execute(text(_SQLITE_HEAVY), {"n": int(seconds * 20_000_000)})
    return Response(b'{"slept":true}', media_type="application/json")


def fault_routes() -> list[BaseRoute]:
    if not enabled():
        return []
    return [
        Route("/_test/slow", slow),
        Route("/_test/stream", stream),
        Route("/_test/slow-query", slow_query),
    ]
