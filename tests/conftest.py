"""Test databases: every test that asks for one runs on SQLite and on PostgreSQL.

Schemas are built by ``alembic upgrade head`` (never ``create_all``). SQLite tests get a
copy of a migrated template file; PostgreSQL tests share a migrated per-run database that
is truncated after each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from api.app import create_app
from api.db import migrate
from api.db.database import Database, create_async_db_engine, create_sync_db_engine
from api.models import Base
from api.settings import Settings
from tests.fixtures.databases import CREATE_DATABASE, enabled_backends, pooled_backends
from tests.fixtures.pgbouncer import PgBouncer, direct_url_behind, pgbouncer_binary
from tests.fixtures.writes import key_headers

POSTGRES_ADMIN_URL = os.environ.get(
    "BROADSHEET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# The suite makes thousands of anonymous calls from one address; the rate-limit tests set
# their own small limits.
os.environ.setdefault("BROADSHEET_RATE_LIMIT_ANONYMOUS", "1000000/minute")
# Live streams end at once unless a test asks for longer: the contract fuzzer calls
# /v1/stream and needs each call to finish.
os.environ.setdefault("BROADSHEET_STREAM_MAX_SECONDS", "0.05")
# Webhook tests drive the delivery worker themselves (run_once), not in the background.
os.environ.setdefault("BROADSHEET_WEBHOOK_WORKER", "false")
# Every app the suite starts would run a full collection over the whole test process's
# heap before freezing it (minutes over the suite); tests/edge/test_memory.py turns it on.
os.environ.setdefault("BROADSHEET_GC_FREEZE", "false")
# Both backends unless a developer narrows it on purpose; CI never does.
BACKENDS = enabled_backends()
pytest_plugins = ["tests.fixtures.watchdog"]


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Before pytest applies the fixture's own params: a marked test gets one more backend.
    marked = metafunc.definition.get_closest_marker("through_pooler") is not None
    if marked and "database_url" in metafunc.fixturenames:
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_url", pooled_backends(marked=True), indirect=True)
        )


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    if "postgresql" not in BACKENDS:
        # Asked for by a PostgreSQL-only test (the pooler's) on a run narrowed to SQLite
        # (scripts/test on a machine without PostgreSQL, which says so loudly).
        message = "PostgreSQL is not among BROADSHEET_TEST_BACKENDS"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"broadsheet_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # fail loudly: never a silent skip
        pytest.fail(f"PostgreSQL expected at {POSTGRES_ADMIN_URL} but unreachable: {exc}")
    with admin:
        admin.execute(CREATE_DATABASE.format(name=name))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_postgres(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine = create_sync_db_engine(Settings(), url=url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[PgBouncer]:
    """A PgBouncer in transaction mode in front of the suite's PostgreSQL server."""
    binary = pgbouncer_binary()
    if binary is None:
        message = "pgbouncer is not installed (scripts/ensure-pgbouncer installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI runs every backend: never a silent skip
        pytest.skip(message)
    server = make_url(POSTGRES_ADMIN_URL)
    bouncer = PgBouncer(
        binary, server.host or "127.0.0.1", server.port or 5432, server.username or "postgres"
    )
    try:
        bouncer.start()
        yield bouncer
    finally:
        bouncer.destroy()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database at the migration head, private to this test.

    Tests marked ``THROUGH_POOLER`` also run with "pgbouncer": the PostgreSQL database
    reached through a PgBouncer in transaction mode.
    """
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    elif request.param in ("postgresql", "pgbouncer"):
        url: str = request.getfixturevalue("postgres_database")
        if request.param == "pgbouncer":
            yield request.getfixturevalue("pgbouncer").pooled(url)
        else:
            yield url
        _truncate_postgres(url)
    else:
        raise ValueError(f"unknown test backend {request.param!r}")


@pytest.fixture
def settings(database_url: str) -> Settings:
    direct = direct_url_behind(database_url)
    if direct is None:
        return Settings(database_url=database_url)
    return Settings(
        database_url=database_url, db_pooler="transaction", migrations_database_url=direct
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(create_async_db_engine(settings))
    yield db
    await db.dispose()


@pytest.fixture
def sync_engine(settings: Settings) -> Iterator[Engine]:
    engine = create_sync_db_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The ASGI app with its lifespan running (engine open) for the test's database."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    """Authorization headers of a fresh write key."""
    return await key_headers(database)
