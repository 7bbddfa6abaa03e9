"""The one place errors become HTTP: RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.errors import BroadsheetError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("broadsheet.errors")


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if invalid_params is not None:
        body["invalid_params"] = invalid_params
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


async def _broadsheet_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BroadsheetError)
    params = None
    invalid = getattr(exc, "invalid_params", None)
    if invalid:
        params = [{"name": p.name, "reason": p.reason} for p in invalid]
    # RFC 9110 15.5.2: a 401 names the scheme to authenticate with, wherever it is raised
    # (the access gate's and a write route's scope check alike).
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
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


def exception_handlers() -> dict[Any, Any]:
    return {
        BroadsheetError: _broadsheet_error,
        HTTPException: _http_exception,
        Exception: _unexpected,
    }
