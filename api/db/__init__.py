"""Engines, sessions and the statements that reach the database, for every layer above."""

from api.db.database import (
    ASYNC_DRIVERS,
    SYNC_DRIVERS,
    WRITE_OPTION,
    AnyRow,
    CommitSignal,
    Database,
    SessionReads,
    as_reads,
    backend_of,
    create_async_db_engine,
    create_driver_reads,
    create_loop_read_engine,
    create_sync_db_engine,
    fetch_first,
    fetch_rows,
    with_driver,
)
from api.db.direct import Reads

__all__ = [
    "ASYNC_DRIVERS",
    "SYNC_DRIVERS",
    "WRITE_OPTION",
    "AnyRow",
    "CommitSignal",
    "Database",
    "Reads",
    "SessionReads",
    "as_reads",
    "backend_of",
    "create_async_db_engine",
    "create_driver_reads",
    "create_loop_read_engine",
    "create_sync_db_engine",
    "fetch_first",
    "fetch_rows",
    "with_driver",
]
