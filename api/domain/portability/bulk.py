"""Loading a PostgreSQL target fast: COPY, with triggers and secondary indexes set aside.

As pg_restore does: rows go in through COPY, the secondary indexes of the copied tables
are dropped first and rebuilt once at the end (a bulk build beats a million single
inserts), and the user triggers (search staleness, entity count deltas) are disabled,
since the copy recomputes counts and rebuilds the search index itself. All of it runs in
the one transaction that loads the rows: a failed copy leaves the target as it was, its
indexes and triggers included.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, text

from api.domain.portability.tables import copied_tables

# Index builds get more memory than the server's default for this one transaction.
INDEX_BUILD_MEMORY = "256MB"
_SECONDARY_INDEXES = text(
    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
    "WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables) "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
)


@contextmanager
def bulk_load(connection: Connection) -> Iterator[None]:
    """Set indexes and triggers aside while inside; call within the loading transaction."""
    tables = [t.name for t in copied_tables()]
    indexes = connection.execute(_SECONDARY_INDEXES, {"tables": tables}).all()
    quote = connection.dialect.identifier_preparer.quote
    for name, _definition in indexes:
        connection.execute(text(f"DROP INDEX {quote(name)}"))
    for table in tables:
        connection.execute(text(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER"))
    yield
    for table in tables:
        connection.execute(text(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER"))
    connection.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"))
    for _name, definition in indexes:
        connection.execute(text(definition))


def copy_rows(connection: Connection, table: Table, rows: Sequence[Any]) -> None:
    """COPY rows (in the table's column order) into ``table``, converted by each column's
    own SQLAlchemy type (time zones, JSON, enums) exactly as an INSERT would send them."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns]
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    columns = ", ".join(quote(c.name) for c in table.columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = list(row)
            for index, process in converting:
                if values[index] is not None:
                    values[index] = process(values[index])
            copy.write_row(values)
