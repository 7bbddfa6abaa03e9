"""The operations tag: liveness and readiness probes (they bypass dispatch)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.db.database import Database
from api.db.health import database_status
from api.edge.lifecycle import draining
from api.rest.core import responses as schemas
from api.rest.core.operations import Operation


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


async def readyz(request: Request) -> Response:
    if draining.active:  # shutting down: send traffic elsewhere, before the drain ends
        return Response(
            b'{"status":"unavailable","database":false,"migrations_at_head":false,"draining":true}',
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": "5"},
        )
    database: Database = request.app.state.db
    try:
        # The pool the writes use, on the primary: readiness is about where writes go.
        async with database.session(offload=True, primary=True) as session:
            status = await database_status(session)
    except Exception:  # any failure to answer means "not ready", never a 500
        return Response(
            b'{"status":"unavailable","database":false,"migrations_at_head":false}',
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": "5"},
        )
    ready = status.at_head
    body = b'{"status":"%s","database":true,"migrations_at_head":%s}' % (
        b"ready" if ready else b"unavailable",
        b"true" if ready else b"false",
    )
    return Response(body, status_code=200 if ready else 503, media_type="application/json")


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        path="/healthz",
        operation_id="getHealth",
        summary="Liveness: the process is up",
        tag="operations",
        response=schemas.Health,
        endpoint=healthz,
        cache_control="no-store",
    ),
    Operation(
        path="/readyz",
        operation_id="getReadiness",
        summary="Readiness: the database answers and migrations are at head",
        tag="operations",
        response=schemas.Readiness,
        endpoint=readyz,
        statuses=(503,),
        cache_control="no-store",
    ),
)
