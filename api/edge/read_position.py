"""Reads that must see a client's writes: the position it sent back, for the database layer.

Installed only with read replicas. The ``Broadsheet-Position`` header (or, without it, the
cookie write answers set) names a changes-log position; for the rest of the request,
``api.db.replicas`` serves reads from a replica only once it has applied that position.
A value that is not a position is ignored, as if none was sent.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.db.replicas import (
    POSITION_COOKIE,
    POSITION_HEADER,
    forget_must_see,
    must_see,
    parse_position,
)

_HEADER = POSITION_HEADER.lower().encode("latin-1")
_COOKIE_PREFIX = f"{POSITION_COOKIE}="


def _from_cookie(value: str) -> int | None:
    for part in value.split(";"):
        part = part.strip()
        if part.startswith(_COOKIE_PREFIX):
            return parse_position(part[len(_COOKIE_PREFIX) :])
    return None


def sent_position(scope: Scope) -> int | None:
    """The position a request asks its reads to see: the header's, else the cookie's."""
    cookie = None
    for name, value in scope["headers"]:
        if name == _HEADER:
            return parse_position(value.decode("latin-1"))
        if name == b"cookie" and cookie is None:
            cookie = _from_cookie(value.decode("latin-1"))
    return cookie


class ReadPositionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        position = sent_position(scope) if scope["type"] in ("http", "websocket") else None
        if position is None:
            await self.app(scope, receive, send)
            return
        token = must_see(position)
        try:
            await self.app(scope, receive, send)
        finally:
            forget_must_see(token)
