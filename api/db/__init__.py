"""Engines, sessions and the statements that reach the database, for every layer above."""

from api.db.database import (
    ASYNC_DRIVERS,
    SYNC_DRIVERS,
    WRITE_OPTION,
    AnyRow,
    CommitSignal,
    Database,
    backend_of,
    create_async_db_engine,
    create_loop_read_engine,
    create_sync_db_engine,
    fetch_first,
    fetch_rows,
    with_driver,
)

__all__ = [
    "ASYNC_DRIVERS",
    "SYNC_DRIVERS",
    "WRITE_OPTION",
    "AnyRow",
    "CommitSignal",
    "Database",
    "backend_of",
    "create_async_db_engine",
    "create_loop_read_engine",
    "create_sync_db_engine",
    "fetch_first",
    "fetch_rows",
    "with_driver",
]
