"""The one place that builds engines and sessions, for both SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, Executable, Row, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.util import greenlet_spawn

from api.db import pooler
from api.db.direct import AnySelect, DriverReads, PostgresReads, Reads, SqliteLoopReads, one_state
from api.db.replicas import FallbackReads, Replica, Replicas, replica_session
from api.db.statement_budget import install_statement_budget
from api.db.write_lane import WriteLane
from api.settings import Settings

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
SYNC_DRIVERS = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}
# Write sessions are bound to an engine carrying this option so SQLite can take its
# write lock up front (BEGIN IMMEDIATE) instead of failing with SQLITE_BUSY mid-transaction.
WRITE_OPTION = "broadsheet_write"
LOOP_BUSY_TIMEOUT_MS = 250
AnyRow = Row[*tuple[Any, ...]]
# Rows from ``fetch_rows`` are read by position or by name, never keyed by Column objects:
# SQLAlchemy need not re-key a cached result map to each new statement's columns, which
# compares ORM-annotated columns with ``==`` (building SQL expressions) on every query.
# The ORM sets the same option for its own statements.
_NO_ADAPT = {"_result_disable_adapt_to_context": True}


def backend_of(url: str | URL) -> str:
    name = make_url(url).get_backend_name()
    if name not in ASYNC_DRIVERS:
        raise ValueError(f"unsupported database {name!r}: use sqlite or postgresql")
    return name


def with_driver(url: str | URL, *, asynchronous: bool) -> URL:
    parsed = make_url(url)
    drivers = ASYNC_DRIVERS if asynchronous else SYNC_DRIVERS
    return parsed.set(drivername=drivers[backend_of(parsed)])


def _ensure_sqlite_directory(url: URL) -> None:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(sync_engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # JSON written by SQLite (api.domain.shared.json_sql) writes floats through this where
        # SQLite's own text would keep only 15 digits.
        dbapi_connection.create_function(
            "broadsheet_json_number", 1, _json_number, deterministic=True
        )
        # Relay global ids in JSON SQLite writes (api.domain.feed.shapes): it has no base64.
        dbapi_connection.create_function("broadsheet_global_id", 2, _global_id, deterministic=True)

    @event.listens_for(sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _json_number(value: float | None) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def _stop_without_graceful_close(dbapi_connection: Any) -> None:
    """How the pool ends a connection it invalidated (a statement was cancelled midway).

    SQLAlchemy first tries a shielded graceful close, and if cancellation comes again (a
    request past its deadline is cancelled again until it ends) also force-closes. The two
    race: on aiosqlite the graceful close then waits for the stopped thread for ever, so the loop
    can never finish its tasks (a hung test run, a hung worker exit); on asyncpg it leaves
    a "connection_lost" error nobody retrieves. Force-closing alone is enough: aiosqlite's
    thread closes the sqlite3 connection after its current statement, and asyncpg has
    already asked the server to cancel the statement when its task was cancelled.
    """
    dbapi_connection._terminate_force_close()


def create_async_db_engine(settings: Settings, *, url: str | None = None) -> AsyncEngine:
    target = with_driver(url or settings.database_url, asynchronous=True)
    if target.get_backend_name() == "sqlite":
        _ensure_sqlite_directory(target)
        if _is_memory(target):
            engine = create_async_engine(target, poolclass=NullPool)
        else:
            engine = create_async_engine(target, **_pool_options(settings))
        _install_sqlite_hooks(engine.sync_engine, settings.sqlite_busy_timeout_ms)
        engine.dialect.do_terminate = _stop_without_graceful_close  # type: ignore[method-assign]
        install_statement_budget(engine.sync_engine, settings.statement_timeout_ms)
        return engine
    # A short connect timeout and pre-ping: during an outage requests fail fast (503), and
    # the first checkout after it replaces the dead connections instead of failing on them.
    connect_args: dict[str, Any] = {
        "timeout": settings.db_connect_timeout_seconds,
        **pooler.asyncpg_engine_connect_args(settings),  # the statement budget, if sent
    }
    engine = create_async_engine(
        target,
        pool_pre_ping=True,
        connect_args=connect_args,
        execution_options=pooler.engine_execution_options(settings),
        **_pool_options(settings),
    )
    engine.dialect.do_terminate = _stop_without_graceful_close  # type: ignore[method-assign]
    return engine


def _pool_options(settings: Settings) -> dict[str, Any]:
    return {
        "pool_size": settings.pool_size,
        "max_overflow": settings.pool_max_overflow,
        "pool_timeout": settings.pool_timeout_seconds,
        "pool_recycle": 1800,  # behind NATs and proxies idle connections die silently
    }


def create_sync_db_engine(settings: Settings, *, url: str | None = None) -> Engine:
    """A blocking engine for the CLI: migrations, demo data, bulk loads."""
    target = with_driver(url or settings.database_url, asynchronous=False)
    if target.get_backend_name() == "sqlite":
        _ensure_sqlite_directory(target)
        engine = create_engine(target)
        _install_sqlite_hooks(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(
        target, pool_pre_ping=True, connect_args=pooler.psycopg_connect_args(settings)
    )


def create_loop_read_engine(settings: Settings, *, url: str | None = None) -> Engine | None:
    """For SQLite files: a blocking engine whose reads run on the event loop's own thread.

    Through aiosqlite every statement is a hop to the connection's thread and back; for
    the short, index-backed reads that make up most traffic those hops cost several times
    the query.
    WAL readers never wait for writers, so such a read does not block the loop for long;
    heavy reads (search, related) still go through aiosqlite (``offload=True``).
    None where it does not apply: PostgreSQL, in-memory SQLite, or turned off in settings.
    """
    target = with_driver(url or settings.database_url, asynchronous=False)
    if target.get_backend_name() != "sqlite" or _is_memory(target):
        return None
    if not settings.sqlite_reads_on_loop:
        return None
    # A checkout must never wait: waiting would block the very loop that returns connections.
    engine = create_engine(target, pool_size=settings.pool_size, max_overflow=-1)
    # A read waits for a lock only in rare WAL corner cases; never long, on the loop.
    _install_sqlite_hooks(engine, min(settings.sqlite_busy_timeout_ms, LOOP_BUSY_TIMEOUT_MS))
    install_statement_budget(engine, settings.statement_timeout_ms)
    return engine


def create_driver_reads(
    settings: Settings, engine: AsyncEngine, loop_reads: Engine | None
) -> DriverReads | None:
    """Hot reads on the driver (``api.db.direct``): PostgreSQL's own asyncpg pool, or one
    connection of SQLite's loop-read engine; None where neither applies."""
    if engine.dialect.name == "sqlite":
        if loop_reads is None:
            return None
        return SqliteLoopReads(loop_reads, settings.statement_timeout_ms)
    return PostgresReads(
        engine.dialect,
        engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
        size=settings.pool_size,
        acquire_timeout=settings.pool_timeout_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
        driver_options=pooler.asyncpg_pool_options(settings),
    )


def create_replicas(settings: Settings) -> Replicas | None:
    """The replicas named by ``replica_urls`` (``api.db.replicas``), or None for none."""
    if not settings.replica_urls:
        return None
    if backend_of(settings.database_url) != "postgresql":
        raise ValueError("read replicas need a PostgreSQL primary")
    replicas = []
    for url in settings.replica_urls:
        engine = create_async_db_engine(settings, url=url)
        target = engine.url
        name = f"{target.host}:{target.port or 5432}/{target.database}"
        dsn = target.set(drivername="postgresql").render_as_string(hide_password=False)
        reads = create_driver_reads(settings, engine, None)
        assert reads is not None  # PostgreSQL always has the driver path
        timeout = settings.db_connect_timeout_seconds
        replicas.append(Replica(name, dsn, engine, reads, timeout))
    return Replicas(
        replicas,
        max_lag_seconds=settings.replica_max_lag_seconds,
        check_seconds=settings.replica_check_seconds,
    )


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


class CommitSignal:
    """Wakes whoever waits for new changes once a write commits in this process.

    A waiter takes ``token()`` before reading, then waits on it: a commit in between
    already set that token, so no wake-up is lost. Other processes' writes are only seen
    by polling (the waiter's timeout).
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def token(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, token: asyncio.Event, seconds: float) -> None:
        """Until a commit after ``token`` was taken, or ``seconds`` pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(token.wait(), seconds)


def write_lane_for(backend: str, settings: Settings | None = None) -> WriteLane:
    concurrency = settings.write_concurrency if settings is not None else 0
    if concurrency == 0:
        # One on both: SQLite takes one writer anyway, and on PostgreSQL (bench.mixed, 8
        # batch writers) four let feed reads reach p99 300 ms where one kept 56 ms, for 13 %
        # less write throughput per worker. More workers, not more lanes, scale writes.
        concurrency = 1
    queue_limit = settings.write_queue_limit if settings is not None else 64
    return WriteLane(concurrency, queue_limit)


class Database:
    """The engines of one process and its sessions: writes, reads, SQLite's loop reads, and
    PostgreSQL's read replicas (``api.db.replicas``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        loop_reads: Engine | None = None,
        driver_reads: DriverReads | None = None,
        replicas: Replicas | None = None,
        write_lane: WriteLane | None = None,
    ) -> None:
        self.engine = engine
        self.loop_reads = loop_reads
        self.driver_reads = driver_reads
        self.replicas = replicas
        # Each replica's hot reads, falling back to the primary's (made once: no state).
        self._fallbacks = {}
        if replicas is not None and driver_reads is not None:
            self._fallbacks = {r: FallbackReads(r, driver_reads) for r in replicas.replicas}
        self.commits = CommitSignal()
        self.backend = engine.dialect.name
        self.write_lane = write_lane or write_lane_for(self.backend)
        reads = engine
        if self.backend == "postgresql" and pooler.reads_in_autocommit(engine):
            # No BEGIN/ROLLBACK around reads: under READ COMMITTED each statement takes its
            # own snapshot even inside a transaction, so one bought two round trips and
            # nothing else (statement_timeout is a connection setting). Not behind a
            # transaction pooler: there a statement's steps need one transaction.
            reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = async_sessionmaker(reads, expire_on_commit=False)
        self._write = async_sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def sync_engines(self) -> tuple[Engine, ...]:
        """Every engine statements run on, for listeners (metrics, statement logs)."""
        engines = [self.engine.sync_engine]
        if self.loop_reads is not None:
            engines.append(self.loop_reads)
        if self.replicas is not None:
            engines.extend(r.engine.sync_engine for r in self.replicas.replicas)
        return tuple(engines)

    def _loop_session(self, bind: Engine) -> AsyncSession:
        # AsyncSession only accepts async engines; bound to a blocking one behind its back,
        # its calls run straight through (nothing to await), on the loop's thread.
        session = AsyncSession(expire_on_commit=False)
        session.sync_session.bind = bind
        return session

    @asynccontextmanager
    async def session(
        self, *, write: bool = False, offload: bool = False, primary: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed once on success, rolled back on any error.

        ``offload``: a read that may run long (search, related) keeps off the loop's thread.
        ``primary``: a read that must see every committed write (never on a replica).
        """
        if not write and not primary and self.replicas is not None:
            replica = await self.replicas.choose()
            if replica is not None:
                async with replica_session(replica) as on_replica:
                    if on_replica is not None:
                        yield on_replica
                if on_replica is not None:
                    return
        if write:
            async with self.write_lane.slot(), self._write() as session, session.begin():
                yield session
            self.commits.notify()  # reached only once the commit succeeded
            return
        if self.loop_reads is not None and not offload:
            session = self._loop_session(self.loop_reads)
        else:
            session = self._read()
        async with session, session.begin():
            yield session

    def reads(self) -> AbstractAsyncContextManager[Reads]:
        """Where a hot read (feed page, article page) runs: on the driver when this process
        has a driver path, else in a read session; on a replica when one may serve it."""
        if self.replicas is not None:
            assert self.driver_reads is not None  # PostgreSQL
            replica = self.replicas.choose_at_once()
            if replica is False:  # a position to check: perhaps a statement on a replica
                return self._routed_reads()
            if isinstance(replica, Replica):
                return _Held(self._fallbacks[replica])
            return _Held(self.driver_reads)
        if self.driver_reads is not None:
            return _Held(self.driver_reads)  # every hot read: no generator to drive
        return self._session_reads()

    @asynccontextmanager
    async def _routed_reads(self) -> AsyncIterator[Reads]:
        assert self.replicas is not None and self.driver_reads is not None  # PostgreSQL
        replica = await self.replicas.choose()
        yield self.driver_reads if replica is None else self._fallbacks[replica]

    @asynccontextmanager
    async def _session_reads(self) -> AsyncIterator[Reads]:
        async with self.session() as session:
            yield SessionReads(session)

    async def dispose(self) -> None:
        if self.replicas is not None:
            await self.replicas.close()
        if self.driver_reads is not None:
            await self.driver_reads.close()
        await self.engine.dispose()
        if self.loop_reads is not None:
            self.loop_reads.dispose()


class _Held:
    """A context that lends what is already open and has nothing to end."""

    __slots__ = ("_reads",)

    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def __aenter__(self) -> Reads:
        return self._reads

    async def __aexit__(self, *_exc: object) -> None:
        return None


class SessionReads:
    """``Reads`` through a session, where no driver path applies (in-memory SQLite, SQLite
    with loop reads turned off)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect

    async def rows(
        self, statement: AnySelect, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]:
        return await fetch_rows(self.session, statement, params)

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        return one_state()  # the session's transaction


def as_reads(source: AsyncSession | Reads) -> Reads:
    """Reads from a session (a write's own transaction, a read session) or as given."""
    return SessionReads(source) if isinstance(source, AsyncSession) else source


async def fetch_rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[AnyRow]:
    """All rows of a column select, executed as Core in the session's transaction.

    ``session.execute`` routes even plain column selects through the ORM's compile and
    loading steps; on hot read paths that cost more than the query.
    """

    def run() -> Sequence[AnyRow]:
        connection = session.sync_session.connection()
        return connection.execute(statement, params, execution_options=_NO_ADAPT).all()

    return await greenlet_spawn(run)


async def fetch_first(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> AnyRow | None:
    """The first row of a column select (as ``fetch_rows``), or None."""
    rows = await fetch_rows(session, statement, params)
    return rows[0] if rows else None
