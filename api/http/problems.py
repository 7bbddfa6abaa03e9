"""The one place errors become HTTP: RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.db.faults import db_fault
from api.errors import BroadsheetError, ServiceUnavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Every API answer is exactly its declared media type: a browser must never sniff one
# (stored text echoed in JSON, say) into HTML.
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
log = logging.getLogger("broadsheet.errors")


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    members: Mapping[str, Any] | None = None,
) -> Response:
    """``members``: extension members (RFC 9457 3.2) added to the document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if invalid_params is not None:
        body["invalid_params"] = invalid_params
    if members:
        body.update(members)
    response = Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )
    response.headers.update(NOSNIFF)
    return response


async def _broadsheet_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BroadsheetError)
    params = None
    invalid = getattr(exc, "invalid_params", None)
    if invalid:
        params = [{"name": p.name, "reason": p.reason} for p in invalid]
    # RFC 9110 15.5.2: a 401 names the scheme to authenticate with, wherever it is raised
    # (the access gate's and a write route's scope check alike).
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if isinstance(exc, ServiceUnavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem_response(
        exc.status, exc.detail, title=exc.title, invalid_params=params, headers=headers
    )


async def _http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    if detail is None:
        detail = {
            404: "no resource at this path",
            405: "method not allowed on this resource; see the Allow header",
        }.get(exc.status_code, HTTPStatus(exc.status_code).description)
    return problem_response(exc.status_code, detail, headers=exc.headers)


async def _unexpected(_request: Request, exc: Exception) -> Response:
    # Never leak internals; the traceback goes to the log, the client gets a plain 500.
    log.exception("unhandled error", exc_info=exc)
    return problem_response(500, "an unexpected error occurred; it has been logged")


async def _database_error(request: Request, exc: Exception) -> Response:
    # Outages, exhausted pools, spent budgets and locks are 503s the client may retry.
    fault = db_fault(exc)
    if fault is not None:
        return await _broadsheet_error(request, fault)
    return await _unexpected(request, exc)


def exception_handlers() -> dict[Any, Any]:
    return {
        BroadsheetError: _broadsheet_error,
        HTTPException: _http_exception,
        # Handled inside the middleware stack (not re-raised): faults are answers, not crashes.
        SQLAlchemyError: _database_error,
        OSError: _database_error,
        asyncpg.PostgresError: _database_error,
        asyncpg.InterfaceError: _database_error,
        Exception: _unexpected,
    }
