"""PostgreSQL behind a transaction-mode pooler (PgBouncer ``pool_mode=transaction``).

Such a pooler lends a server connection for one transaction only (or one statement in
autocommit); the client's next one may run on another. Whatever lives on a server
connection longer than that cannot be used, and ``BROADSHEET_DB_POOLER=transaction``
turns each such use off:

- Cached prepared statements (PgBouncer < 1.21 does not track them): asyncpg's cache and
  SQLAlchemy's are off, and SQLAlchemy names each statement uniquely (its documented
  recipe), so two clients never meet on one name. A statement is still prepared and
  executed on one server connection: asyncpg prepares with a Flush, not a Sync, so the
  pooler cannot hand the server over in between. psycopg never prepares server-side.
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

from api.settings import Settings

TRANSACTION = "transaction"


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
    its statements are then unnamed, prepared and run anew each time."""
    if behind_transaction_pooler(settings):
        return {"statement_cache_size": 0}
    return {"server_settings": _startup_settings(settings)}


def psycopg_connect_args(settings: Settings) -> dict[str, Any]:
    """``connect_args`` of blocking psycopg engines (CLI commands, bulk loads)."""
    if behind_transaction_pooler(settings):
        return {"prepare_threshold": None}  # never a named, server-side statement
    return {}


def _startup_settings(settings: Settings) -> dict[str, str]:
    if settings.statement_timeout_ms:
        return {"statement_timeout": str(settings.statement_timeout_ms)}
    return {}
