"""Database faults a client should retry: outages, exhausted pools, spent budgets, locks.

Both doors and the access gate ask ``db_fault`` about any unexpected exception: a fault
becomes ``ServiceUnavailable`` (503 + Retry-After, GraphQL code SERVICE_UNAVAILABLE) with
a plain message, never a 500 and never the driver's text.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import exc as sa_exc

from api.errors import ServiceUnavailable

OUTAGE = "the database is unavailable; retry shortly"
BUSY = "the database is busy; retry shortly"
TOO_SLOW = "the database did not answer within its time budget; retry shortly"
NO_CONNECTION = "no database connection became free in time; retry shortly"

# SQLSTATEs (PostgreSQL) that say "not now" rather than "wrong request".
_CONNECTION_CLASSES = ("08", "53", "57P")  # connection, insufficient resources, shutdown
_RETRYABLE_STATES = {"40001": BUSY, "40P01": BUSY, "55P03": BUSY, "57014": TOO_SLOW}
# SQLite's transient conditions, by the message sqlite3 raises them with.
_SQLITE_MESSAGES = (
    ("database is locked", BUSY),
    ("database table is locked", BUSY),
    ("interrupted", TOO_SLOW),
    ("unable to open database", OUTAGE),
    ("disk i/o error", OUTAGE),
)
_ASYNCPG_OUTAGES = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,  # a connection a shutting-down server left
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)

_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.ETIMEDOUT}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what caused it, and what it interrupted (a failed cleanup hides the cause)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        for nxt in (orig, current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                pending.append(nxt)


def _reason(error: BaseException) -> str | None:
    if isinstance(error, ServiceUnavailable):
        return error.detail
    if isinstance(error, sa_exc.TimeoutError):  # the pool's checkout timeout
        return NO_CONNECTION
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return OUTAGE
    if isinstance(error, sa_exc.DisconnectionError):
        return OUTAGE
    if isinstance(error, asyncpg.exceptions.QueryCanceledError):
        return TOO_SLOW
    if isinstance(error, _ASYNCPG_OUTAGES):
        return OUTAGE
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if isinstance(state, str):
        if state in _RETRYABLE_STATES:
            return _RETRYABLE_STATES[state]
        if state.startswith(_CONNECTION_CLASSES):
            return OUTAGE
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        for fragment, reason in _SQLITE_MESSAGES:
            if fragment in message:
                return reason
    if isinstance(error, ConnectionError | TimeoutError):  # refused, reset, connect timeout
        return OUTAGE
    if isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS:  # e.g. host unreachable
        return OUTAGE
    return None


def db_fault(error: BaseException) -> ServiceUnavailable | None:
    """A 503 for a transient database fault anywhere in ``error``'s chain; else None."""
    for link in _chain(error):
        reason = _reason(link)
        if reason is not None:
            return link if isinstance(link, ServiceUnavailable) else ServiceUnavailable(reason)
    return None
