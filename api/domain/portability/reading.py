"""Reading a whole store in bounded memory: one consistent snapshot, keyset batches.

Export and copy read every row of large tables while the server may still be writing.
They read inside one snapshot (so an article is never seen without its mentions, nor a
change without its article) and walk each table by primary key, a batch at a time, so
memory stays flat whatever the store size.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, and_, func, or_, select

DEFAULT_BATCH_ROWS = 5_000
AnyRow = Row[Any]


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose every read sees the store as of its first statement.

    PostgreSQL: REPEATABLE READ (one snapshot for the transaction, never a serialisation
    failure for a reader). SQLite in WAL mode: a deferred read transaction keeps its
    snapshot until it ends, and writers carry on meanwhile.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def after_key(table: Table, last: tuple[Any, ...]) -> Any:
    """``primary key > last`` as a keyset predicate, for one or several key columns."""
    columns = list(table.primary_key.columns)
    # (a > x) OR (a = x AND b > y) ...: plain comparisons, the same on both backends.
    clauses = []
    for index, column in enumerate(columns):
        equal = [columns[k] == last[k] for k in range(index)]
        clauses.append(and_(*equal, column > last[index]))
    return or_(*clauses)


def table_batches(
    connection: Connection,
    table: Table,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    where: Any = None,
) -> Iterator[list[AnyRow]]:
    """Every row of ``table`` (optionally filtered), in primary key order, in batches."""
    key = list(table.primary_key.columns)
    positions = [list(table.columns).index(column) for column in key]
    last: tuple[Any, ...] | None = None
    while True:
        stmt = select(table).order_by(*key).limit(batch_rows)
        if where is not None:
            stmt = stmt.where(where)
        if last is not None:
            stmt = stmt.where(after_key(table, last))
        rows = list(connection.execute(stmt))
        if not rows:
            return
        yield rows
        if len(rows) < batch_rows:
            return
        last = tuple(rows[-1][position] for position in positions)


def count_rows(connection: Connection, table: Table, where: Any = None) -> int:
    stmt = select(func.count()).select_from(table)
    if where is not None:
        stmt = stmt.where(where)
    return int(connection.execute(stmt).scalar_one())
