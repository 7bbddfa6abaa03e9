"""Hot reads on the driver's own connection: no session, no per-request statement work.

The feed and the article page run statements built once per shape. Run through a session,
each also paid for a session, a transaction, a pool checkout and SQLAlchemy's result
machinery: on SQLite more than the statement itself. Here a statement is compiled once to
the driver's SQL and each request only binds its values:

- SQLite (a file): one connection used on the event loop's own thread, in autocommit mode,
  so each statement reads the latest commit (WAL readers never wait for writers). Nothing
  awaits between binding and fetching, so that one connection serves the whole loop.
- PostgreSQL: an asyncpg pool of its own, whose connections cache the prepared statements.

Statements keep their budgets (SQLite's progress-handler deadline, PostgreSQL's
``statement_timeout``), and listeners (tests' statement logs) see every statement.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import PoolProxiedConnection

from api.db.faults import NO_CONNECTION
from api.db.paging_literals import PAGING_LITERALS
from api.db.statement_budget import DEADLINE, request_deadline
from api.errors import ServiceUnavailable

Processor = Callable[[Any], Any]
AnySelect = Select[*tuple[Any, ...]]
StatementListener = Callable[[str], None]


class Reads(Protocol):
    """Where a request's hot reads run: the driver (``DriverReads``) or a session."""

    @property
    def dialect(self) -> Dialect: ...

    async def rows(
        self, statement: AnySelect, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]: ...

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        """Statements inside read one state of the database (a read spanning two)."""
        ...


@asynccontextmanager
async def one_state() -> AsyncIterator[None]:
    """Where every statement already reads one state: a session's transaction, or a single
    statement."""
    yield


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """A select compiled for the driver: its SQL, the values fixed when it was built (already
    processed for the driver), and how to bind the rest and read each column."""

    sql: str
    slots: tuple[Any, ...]  # per parameter: a value fixed at build time, or a _Bound
    readers: tuple[Processor | None, ...]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for slot in self.slots:
            if isinstance(slot, _Bound):
                value = params[slot.name]
                values.append(value if slot.process is None else slot.process(value))
            else:
                values.append(slot)
        return values

    def read_all(self, rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
        """The driver's rows, each column read as SQLAlchemy would (most need nothing)."""
        if all(reader is None for reader in self.readers):
            return rows
        return [
            tuple(
                value if reader is None or value is None else reader(value)
                for value, reader in zip(row, self.readers, strict=True)
            )
            for row in rows
        ]


@dataclass(frozen=True, slots=True)
class _Bound:
    name: str
    process: Processor | None


def compile_for_driver(statement: AnySelect, dialect: Dialect) -> DriverStatement:
    compiled = statement.compile(dialect=dialect, compile_kwargs={PAGING_LITERALS: True})
    given = {name for name, bind in compiled.binds.items() if bind.required}
    # IN lists written out, one parameter per value (the values are the statement's own);
    # the parameters given at execution get a stand-in value here.
    expanded = compiled.construct_expanded_state(dict.fromkeys(given))
    expanded_from = {
        name: original for original, names in expanded.parameter_expansion.items() for name in names
    }
    slots: list[Any] = []
    for name in expanded.positiontup or ():
        bind = compiled.binds[expanded_from.get(name, name)]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in given:
            slots.append(_Bound(name, process))
        else:
            value = expanded.parameters[name]
            slots.append(value if process is None or value is None else process(value))
    readers = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    )
    return DriverStatement(expanded.statement, tuple(slots), readers)


class DriverReads:
    """Statements compiled once (per statement object: callers cache their statements) and
    run on the driver; subclasses own the connection."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.listeners: list[StatementListener] = []
        self._compiled: dict[AnySelect, DriverStatement] = {}

    def _prepared(self, statement: AnySelect) -> DriverStatement:
        found = self._compiled.get(statement)
        if found is None:
            if len(self._compiled) >= 1024:  # bounded: statements are few, cached upstream
                self._compiled.clear()
            found = self._compiled[statement] = compile_for_driver(statement, self.dialect)
        for listener in self.listeners:
            listener(found.sql)
        return found

    async def rows(
        self, statement: AnySelect, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        return one_state()  # PostgreSQL's reads are single statements

    async def close(self) -> None:
        """Let the connections go."""


class SqliteLoopReads(DriverReads):
    """One connection of the loop-read engine (its pragmas, functions and statement budget
    installed), kept for the life of the process and used on the loop's thread."""

    def __init__(self, engine: Engine, budget_ms: int) -> None:
        super().__init__(engine.dialect)
        self._engine = engine
        self._budget = budget_ms / 1000 if budget_ms > 0 else math.inf
        self._connection: PoolProxiedConnection | None = None

    def _connected(self) -> PoolProxiedConnection:
        if self._connection is None:
            self._connection = self._engine.raw_connection()
        return self._connection

    async def rows(
        self, statement: AnySelect, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]:
        prepared = self._prepared(statement)
        arguments = prepared.arguments(params or {})
        connection = self._connected()
        deadline: list[float] = connection.info.setdefault(DEADLINE, [math.inf])
        deadline[0] = min(time.monotonic() + self._budget, request_deadline.get())
        try:
            cursor = connection.driver_connection.execute(prepared.sql, arguments)  # type: ignore[union-attr]
            fetched = cursor.fetchall()
        except Exception:
            # A broken connection is not kept: the next read opens a new one.
            self._drop()
            raise
        finally:
            deadline[0] = math.inf
        return prepared.read_all(fetched)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        # A deferred read transaction: WAL gives its statements one snapshot, so another
        # process's commit cannot fall between a page's articles and their mentions.
        held = self._connected()
        driver: Any = held.driver_connection
        driver.execute("BEGIN")
        try:
            yield
        finally:
            if self._connection is held and driver.in_transaction:
                driver.execute("ROLLBACK")  # it only read

    def _drop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.invalidate()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# A pooled connection the server closed (a restart, an idle timeout; a shutting-down
# server's last message leaves asyncpg's protocol in a state where the next statement is
# an InternalClientError): the read is retried on another, as the session pool's pre-ping
# would have replaced it.
_STALE = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionResetError,
)


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    # A connection whose statement failed or was cancelled is terminated before it is
    # released (``PostgresReads.rows``); this one finished its SELECT in autocommit.
    if connection.is_in_transaction():
        raise RuntimeError("a read connection was left in a transaction")


class PostgresReads(DriverReads):
    """An asyncpg pool of its own, opened on first use (inside the serving loop)."""

    def __init__(
        self,
        dialect: Dialect,
        dsn: str,
        *,
        size: int,
        acquire_timeout: float,
        connect_timeout: float,
        driver_options: dict[str, Any],
    ) -> None:
        """``driver_options``: more ``asyncpg.create_pool`` options: the server settings,
        and behind a transaction pooler the statement cache (``api.db.pooler``)."""
        super().__init__(dialect)
        self._pool_options: dict[str, Any] = {
            "dsn": dsn,
            "min_size": 0,
            "max_size": size,
            "timeout": connect_timeout,
            "max_inactive_connection_lifetime": 300,
            # Its connections only ever run single SELECTs in autocommit: no session state
            # to reset, so a release costs no round trip (asyncpg's default reset is one).
            "reset": _nothing_to_reset,
            **driver_options,
        }
        self._acquire_timeout = acquire_timeout
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(**self._pool_options)
        return self._pool

    async def rows(
        self, statement: AnySelect, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]:
        prepared = self._prepared(statement)
        arguments = prepared.arguments(params or {})
        pool = await self._opened()
        fetched = None
        # Every connection of the pool may have gone stale at once (a restart): each try
        # drops one, so one more try than the pool holds reaches a fresh connection.
        tries = self._pool_options["max_size"] + 1
        for attempt in range(tries):
            try:
                connection = await pool.acquire(timeout=self._acquire_timeout)
            except TimeoutError:
                raise ServiceUnavailable(NO_CONNECTION) from None
            try:
                fetched = await connection.fetch(prepared.sql, *arguments)
            except BaseException as error:
                # Whatever broke the statement (an outage, a cancelled request, a timeout)
                # may have left the connection midway: it is not given back as it is.
                connection.terminate()
                await pool.release(connection)
                if attempt == tries - 1 or not isinstance(error, _STALE):
                    raise
                continue
            await pool.release(connection)
            break
        return prepared.read_all(fetched or [])

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
