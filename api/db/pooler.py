"""PostgreSQL behind a transaction-mode pooler (PgBouncer ``pool_mode=transaction``).

Such a pooler lends a server connection for one transaction only (or one statement in
autocommit); the client's next one may run on another. Whatever lives on a server
connection longer than that cannot be used, and ``BROADSHEET_DB_POOLER=transaction``
turns each such use off:

- Cached prepared statements (PgBouncer < 1.21 does not track them): asyncpg's cache and
  SQLAlchemy's are off, and SQLAlchemy names each statement uniquely (its documented
  recipe), so two clients never meet on one name. psycopg never prepares server-side.
- Sessions' reads in autocommit: SQLAlchemy prepares a named statement (asyncpg sends
  Parse with a Flush: the server stays lent), but right then asyncpg closes statements it
  let go, with a Sync, and the pooler may then run the execute on another server, where
  the statement does not exist. Read sessions run in a transaction instead (BEGIN and
  ROLLBACK: two round trips more). The driver's hot reads keep autocommit: with its cache
  off asyncpg sends an unnamed statement's Parse again with its execute, in one message.
- Startup parameters: PgBouncer refuses all but a few, so ``statement_timeout`` is not
  sent; set it on the role or database instead (docs/operations.md).
- Session state: the service sets none (no ``SET``, no LISTEN), and its advisory locks
  are ``pg_advisory_xact_lock``, released at commit.

Migrations connect directly (``BROADSHEET_MIGRATIONS_DATABASE_URL``): DDL and long
index builds have no business holding a pooled server connection.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings

TRANSACTION = "transaction"
# Carried in the async engine's execution options: ``Database`` is built from an engine
# alone and must know not to read in autocommit.
POOLER_OPTION = "broadsheet_pooler"


def behind_transaction_pooler(settings: Settings) -> bool:
    return settings.db_pooler == TRANSACTION


def migrations_url(settings: Settings) -> str:
    """Where migrations run: directly on PostgreSQL when a pooler sits in front."""
    return settings.migrations_database_url or settings.database_url


def _statement_name() -> str:
    return f"__asyncpg_{uuid4()}__"


def asyncpg_engine_connect_args(settings: Settings) -> dict[str, Any]:
    """``connect_args`` of the SQLAlchemy asyncpg engine, beyond the connect timeout."""
    if behind_transaction_pooler(settings):
        return {
            "statement_cache_size": 0,  # asyncpg's own cache
            "prepared_statement_cache_size": 0,  # the cache of SQLAlchemy's adapter
            "prepared_statement_name_func": _statement_name,
        }
    return {"server_settings": _startup_settings(settings)}


def asyncpg_pool_options(settings: Settings) -> dict[str, Any]:
    """More options of the driver's own asyncpg pool (``api.db.direct.PostgresReads``):
    behind the pooler its statements are unnamed, parsed anew with each execute."""
    if behind_transaction_pooler(settings):
        return {"statement_cache_size": 0}
    return {"server_settings": _startup_settings(settings)}


def engine_execution_options(settings: Settings) -> dict[str, Any]:
    return {POOLER_OPTION: TRANSACTION} if behind_transaction_pooler(settings) else {}


def reads_in_autocommit(engine: AsyncEngine) -> bool:
    """Whether reads may skip BEGIN/ROLLBACK: not behind a transaction pooler."""
    return engine.get_execution_options().get(POOLER_OPTION) != TRANSACTION


def psycopg_connect_args(settings: Settings) -> dict[str, Any]:
    """``connect_args`` of blocking psycopg engines (CLI commands, bulk loads)."""
    if behind_transaction_pooler(settings):
        return {"prepare_threshold": None}  # never a named, server-side statement
    return {}


def _startup_settings(settings: Settings) -> dict[str, str]:
    if settings.statement_timeout_ms:
        return {"statement_timeout": str(settings.statement_timeout_ms)}
    return {}
