"""Read replicas: which streaming standby serves a read, and when only the primary will do.

**The position.** A write answers the changes-log sequence number of its last entry
(``Broadsheet-Position``; ``position`` in GraphQL mutation results). A client that sends it
back is served by a replica only once that replica has applied it. The sequence, rather
than the primary's WAL LSN, because:

- it is known inside the writing transaction (the log's INSERT returns it), so the answer
  built before the edge commits (REST's stored idempotent answer, a GraphQL mutation's
  payload) can carry it, with no statement added; an LSN exists only after the commit;
- on PostgreSQL sequence numbers are taken in commit order (``finish_write`` holds an
  advisory lock to commit), so a replica whose log holds ``max(seq) >= N`` has applied
  the transaction that wrote N and every write before it;
- checking it on a replica is one index-only read of the log's primary key (its last
  entry), done with the health check and, for a client ahead of it, again at most every
  ``FRESH_SECONDS`` per replica;
- it is the number clients already page the changes log by.

Writes that leave no entry (webhook subscriptions, API keys) carry no position: their reads
need a key and run on the primary.

**Health.** Each replica has a background check every ``replica_check_seconds``: reachable,
in recovery, its lag and the last position it applied. A replica that is down, not a
standby, or further behind than ``replica_max_lag_seconds`` is skipped until a later check
finds it well. Lag is the time since the last replayed commit while WAL it received waits
to be replayed (0 when it has replayed all it received): an idle primary is no lag.

A replica that fails between checks costs no request an error: a hot read is re-run on the
primary, and a read session that cannot reach it opens on the primary instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.db.direct import AnySelect, DriverReads, Reads
from api.db.faults import NO_CONNECTION, OUTAGE, db_fault

log = logging.getLogger("broadsheet.replicas")

POSITION_HEADER = "Broadsheet-Position"
POSITION_COOKIE = "broadsheet_position"
# A replica's applied position is asked again for a client ahead of it at most this often.
FRESH_SECONDS = 0.005
# Far beyond any real sequence number; longer values are not positions.
_MAX_DIGITS = 19

# The position the current request must see (from its header or cookie), set at the edge.
_must_see: ContextVar[int | None] = ContextVar("broadsheet_must_see", default=None)

HEALTH_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() IS NULL
              OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0.0
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8
       END,
       (SELECT coalesce(max(seq), 0) FROM changes)
"""
APPLIED_SQL = "SELECT coalesce(max(seq), 0) FROM changes"


def parse_position(value: str | None) -> int | None:
    """A position sent back by a client; anything else is ignored, as if none was sent
    (a stale or mangled cookie must not turn reads into errors)."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > _MAX_DIGITS or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def must_see(position: int | None) -> Any:
    """For the request in this context, reads must see ``position``; returns a reset token."""
    return _must_see.set(position)


def forget_must_see(token: Any) -> None:
    _must_see.reset(token)


def _unreachable(error: BaseException) -> bool:
    """A fault that says the server is not there (not a slow or refused statement)."""
    fault = db_fault(error)
    return fault is not None and fault.detail in (OUTAGE, NO_CONNECTION)


class Replica:
    """One standby: its session engine, its driver path, and what its last check found."""

    def __init__(
        self, name: str, dsn: str, engine: AsyncEngine, reads: DriverReads, timeout: float
    ) -> None:
        self.name = name  # host:port/database, never the password
        self.engine = engine
        self.reads = reads
        self.sessions = async_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        self.healthy = False
        self.applied = 0
        self.lag = 0.0
        self.checked_at = -1.0
        self._dsn = dsn
        self._timeout = timeout
        self._connection: asyncpg.Connection | None = None
        # One statement at a time on the check connection: the periodic check and a
        # client's position check share it.
        self._asking = asyncio.Lock()

    async def _connected(self) -> asyncpg.Connection:
        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(self._dsn, timeout=self._timeout)
        return self._connection

    async def check(self, max_lag: float) -> None:
        """Ask the replica how it stands; any failure marks it down until the next check."""
        try:
            async with self._asking:
                connection = await self._connected()
                row = await connection.fetchrow(HEALTH_SQL, timeout=self._timeout)
        except Exception as error:  # any failure: skipped, and asked again next time
            self._drop_connection()
            self.down(error)
            return
        in_recovery, lag, applied = row
        self.lag, self.applied, self.checked_at = float(lag or 0.0), int(applied), time.monotonic()
        well = bool(in_recovery) and self.lag <= max_lag
        if well and not self.healthy:
            log.info("replica %s in use", self.name)
        elif self.healthy and not well:
            reason = f"lag {self.lag:.1f} s" if in_recovery else "not a standby"
            log.warning("replica %s skipped: %s", self.name, reason)
        self.healthy = well

    async def has_applied(self, position: int) -> bool:
        """Whether the replica has applied ``position``: from the last answer while it is
        fresh, else asked again (one statement, shared by concurrent askers)."""
        if self.applied >= position:
            return True
        if time.monotonic() - self.checked_at < FRESH_SECONDS:
            return False
        async with self._asking:
            if self.applied < position and time.monotonic() - self.checked_at >= FRESH_SECONDS:
                try:
                    connection = await self._connected()
                    applied = await connection.fetchval(APPLIED_SQL, timeout=self._timeout)
                except Exception as error:
                    self._drop_connection()
                    self.down(error)
                    return False
                self.applied = max(self.applied, int(applied))
                self.checked_at = time.monotonic()
        return self.applied >= position

    def down(self, error: BaseException) -> None:
        if self.healthy:
            log.warning("replica %s skipped: %s", self.name, type(error).__name__)
        self.healthy = False

    def _drop_connection(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.terminate()

    async def close(self) -> None:
        self._drop_connection()
        await self.reads.close()
        await self.engine.dispose()


class Replicas:
    """The replicas of one process, their health checks, and the choice for each read."""

    def __init__(
        self, replicas: Sequence[Replica], *, max_lag_seconds: float, check_seconds: float
    ) -> None:
        self.replicas = tuple(replicas)
        self.max_lag = max_lag_seconds
        self.check_seconds = check_seconds
        self._turn = itertools.count()
        self._checks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """One health check task per replica, on the running loop."""
        if not self._checks:
            self._checks = [asyncio.create_task(self._keep_checking(r)) for r in self.replicas]

    async def _keep_checking(self, replica: Replica) -> None:
        while True:
            await replica.check(self.max_lag)
            await asyncio.sleep(self.check_seconds)

    async def check_now(self) -> None:
        """Check every replica at once (tests, and callers that cannot wait for the tick)."""
        await asyncio.gather(*(r.check(self.max_lag) for r in self.replicas))

    def choose_at_once(self) -> Replica | bool | None:
        """``choose`` without awaiting, where nothing needs asking: a healthy replica in
        turn or None; False when the request's position may need a replica asked."""
        if _must_see.get() is not None:
            return False
        healthy = [r for r in self.replicas if r.healthy]
        return healthy[next(self._turn) % len(healthy)] if healthy else None

    async def choose(self) -> Replica | None:
        """A healthy replica that has applied what this request must see, taken in turn;
        None: the read runs on the primary."""
        position = _must_see.get()
        healthy = [r for r in self.replicas if r.healthy]
        if not healthy:
            return None
        start = next(self._turn)
        for offset in range(len(healthy)):
            replica = healthy[(start + offset) % len(healthy)]
            if position is None or await replica.has_applied(position):
                return replica
        return None

    async def close(self) -> None:
        for task in self._checks:
            task.cancel()
        for task in self._checks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._checks = []
        for replica in self.replicas:
            await replica.close()


class FallbackReads:
    """Hot reads on a replica, re-run on the primary if the replica is not there."""

    __slots__ = ("_primary", "_replica")

    def __init__(self, replica: Replica, primary: Reads) -> None:
        self._replica, self._primary = replica, primary

    @property
    def dialect(self) -> Dialect:
        return self._replica.reads.dialect

    async def rows(
        self, statement: AnySelect, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]:
        try:
            return await self._replica.reads.rows(statement, params)
        except Exception as error:
            if not _unreachable(error):
                raise
            self._replica.down(error)
        return await self._primary.rows(statement, params)

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        return self._replica.reads.snapshot()  # single statements on PostgreSQL


@asynccontextmanager
async def replica_session(replica: Replica) -> AsyncIterator[AsyncSession | None]:
    """A read session on ``replica`` (autocommit), or None when it cannot be reached, so
    the caller opens one on the primary instead."""
    session = replica.sessions()
    try:
        await session.connection()  # a checkout (with pre-ping): a dead replica fails here
    except Exception as error:
        await session.close()
        if not _unreachable(error):
            raise
        replica.down(error)
        yield None
        return
    async with session:
        yield session
        await session.commit()
