"""PostgreSQL through a real PgBouncer in transaction mode (``api.db.pooler``).

The feed, writes, batches, the changes log, webhook claims and the GraphQL feed run their
own suites through it too (modules marked ``through_pooler``); here is what is particular
to the pooler: many clients sharing few server connections, the statement budget without
startup parameters, and migrations that never go through it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg  # type: ignore[import-untyped]
import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import Integer, Select, bindparam, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError

from api.cli.commands import main
from api.db import pooler
from api.db.database import Database, create_async_db_engine, create_driver_reads
from api.db.direct import DriverReads
from api.settings import Settings, get_settings
from tests.fixtures.pgbouncer import SERVER_POOL_SIZE, PgBouncer

pytestmark = pytest.mark.anyio

POSTGRES_ADMIN_URL = os.environ.get(
    "BROADSHEET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
CLIENTS = 6 * SERVER_POOL_SIZE
ROUNDS = 8
# A statement with a parameter, so that each run is a prepare and an execute.
ECHO: Select[int] = select(bindparam("n", type_=Integer) + literal_column("0"))


@pytest.fixture
def pooled_url(pgbouncer: PgBouncer, postgres_database: str) -> str:
    return pgbouncer.pooled(postgres_database)


def _pooled(url: str, direct: str, **overrides: object) -> Settings:
    return Settings(
        database_url=url,
        db_pooler="transaction",
        migrations_database_url=direct,
        pool_size=CLIENTS,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
async def pooled(pooled_url: str, postgres_database: str) -> AsyncIterator[Database]:
    settings = _pooled(pooled_url, postgres_database)
    engine = create_async_db_engine(settings)
    database = Database(engine, driver_reads=create_driver_reads(settings, engine, None))
    yield database
    await database.dispose()


async def _hammer(database: Database) -> None:
    """Many clients at once, each alternating session reads and driver reads."""

    async def client(number: int) -> None:
        for round_ in range(ROUNDS):
            value = number * 100 + round_
            async with database.session() as session:
                # Several statements: asyncpg closes a statement it let go while preparing
                # the next one on the same connection.
                for offset in range(3):
                    got = (await session.execute(ECHO, {"n": value + offset})).scalar_one()
                    assert got == value + offset
            async with database.reads() as reads:
                rows = await reads.rows(ECHO, {"n": value})
            assert rows[0][0] == value

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))


async def test_many_clients_share_few_server_connections(pooled: Database) -> None:
    assert isinstance(pooled.driver_reads, DriverReads)
    await _hammer(pooled)
    # Writes too: each its own transaction, on whichever server connection is free.
    async with pooled.session(write=True) as session:
        await session.execute(text("CREATE TEMP TABLE IF NOT EXISTS t (n int) ON COMMIT DROP"))


async def test_without_the_recipe_the_pooler_breaks_prepared_statements(
    pooled_url: str,
) -> None:
    # The control: asyncpg's cached, numbered statements through the same PgBouncer (no
    # startup parameter either, so it can connect at all).
    settings = Settings(database_url=pooled_url, statement_timeout_ms=0, pool_size=CLIENTS)
    engine = create_async_db_engine(settings)
    database = Database(engine, driver_reads=create_driver_reads(settings, engine, None))
    try:
        with pytest.raises((DBAPIError, asyncpg.PostgresError)) as raised:
            await _hammer(database)
        assert "prepared statement" in str(raised.value)
    finally:
        await database.dispose()


async def test_read_sessions_in_autocommit_would_break_through_the_pooler(
    pooled_url: str, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control for read sessions: with the recipe but in autocommit, asyncpg's Sync
    # (closing the statement it let go) between the next prepare and its execute lets the
    # pooler run that execute on another server.
    monkeypatch.setattr(pooler, "reads_in_autocommit", lambda _engine: True)
    settings = _pooled(pooled_url, postgres_database)
    engine = create_async_db_engine(settings)
    database = Database(engine, driver_reads=create_driver_reads(settings, engine, None))
    try:
        with pytest.raises(DBAPIError, match=r"prepared statement .* does not exist"):
            await _hammer(database)
    finally:
        await database.dispose()


async def test_a_startup_parameter_is_refused_so_none_is_sent(pooled_url: str) -> None:
    # Why the budget cannot be a startup parameter behind PgBouncer (it passes on a few).
    direct_style = Settings(database_url=pooled_url, statement_timeout_ms=300)
    engine = create_async_db_engine(direct_style)
    try:
        with pytest.raises(DBAPIError, match="unsupported startup parameter"):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


@pytest.fixture
def budgeted_database(pgbouncer: PgBouncer) -> Iterator[tuple[str, str]]:
    """A database of its own whose statement budget is set where the docs say: on the
    database (its direct URL, its URL through the pooler)."""
    name = f"broadsheet_budget_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f"ALTER DATABASE \"{name}\" SET statement_timeout = '300ms'")
    direct = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield direct, pgbouncer.pooled(direct)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_the_statement_budget_set_on_the_database_holds_through_the_pooler(
    budgeted_database: tuple[str, str],
) -> None:
    direct, pooled_url = budgeted_database
    # The service's own budget setting is not sent (PgBouncer would refuse it) ...
    settings = _pooled(pooled_url, direct, statement_timeout_ms=60_000)
    engine = create_async_db_engine(settings)
    database = Database(engine, driver_reads=create_driver_reads(settings, engine, None))
    try:
        # ... and the database's budget applies to sessions and to the driver's reads.
        async with database.session() as session:
            shown = (await session.execute(text("SHOW statement_timeout"))).scalar_one()
            assert shown == "300ms"
            with pytest.raises(DBAPIError, match="statement timeout"):
                await session.execute(text("SELECT pg_sleep(2)"))
        async with database.reads() as reads:
            with pytest.raises(asyncpg.QueryCanceledError):
                await reads.rows(select(func.pg_sleep(2)))
    finally:
        await database.dispose()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_migrations_connect_directly_not_through_the_pooler(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, postgres_database: str
) -> None:
    # The pooler's address answers nothing: a migration through it would fail.
    monkeypatch.setenv("BROADSHEET_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/none")
    monkeypatch.setenv("BROADSHEET_DB_POOLER", "transaction")
    monkeypatch.setenv("BROADSHEET_MIGRATIONS_DATABASE_URL", postgres_database)
    result = cli.invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "database at head" in result.output
