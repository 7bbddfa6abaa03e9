"""Which tables a copy carries, in what order, and the target-side bookkeeping they need.

The order is the metadata's dependency order (a row's foreign keys point at rows already
copied). Rows are copied verbatim, primary keys included: internal ids tie articles to
mentions and links, and the changes log's positions are what mirrors hold as cursors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from api.db import migrate
from api.models import Base

# Derived state, rebuilt on the target rather than copied (see ``derived``).
DERIVED_TABLES = frozenset({"search_pending"})


class TargetRefused(Exception):
    """The target database cannot receive a copy (not empty, or at another revision)."""


def copied_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED_TABLES]


def row_dicts(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [row._asdict() for row in rows]


def check_target(connection: Connection) -> bool:
    """True when the target must be migrated first (it is at base); refuses anything else
    than an empty database at the head revision."""
    revisions = migrate.current_revisions(connection)
    if not revisions:
        return True
    if revisions != migrate.head_revisions():
        raise TargetRefused(
            f"target is at revision {', '.join(sorted(revisions))}, not at head: "
            "run `broadsheet migrate` against it first"
        )
    for table in copied_tables():
        if connection.execute(select(table).limit(1)).first() is not None:
            raise TargetRefused(
                f"target is not empty (table {table.name} has rows): "
                "copy into a freshly migrated database"
            )
    return False


def reset_sequences(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the copied rows (explicit ids bypass them).

    SQLite needs nothing: a rowid, and AUTOINCREMENT's counter, follow the largest id.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in copied_tables():
        column = table.autoincrement_column
        if column is None or not isinstance(column.type, Integer):
            continue
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(table.name, column.name))
        ).scalar_one()
        if sequence is None:
            continue
        last = connection.execute(select(func.max(column))).scalar_one()
        # is_called=false with max+1: the next value handed out is max+1 (1 when empty).
        connection.execute(
            text("SELECT setval(:sequence, :next, false)"),
            {"sequence": sequence, "next": (last or 0) + 1},
        )


def upsert(table: Table, dialect: str) -> Any:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE: re-copying a row replaces it."""
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    key = list(table.primary_key.columns)
    others = [c for c in table.columns if c not in key]
    if not others:
        return insert.on_conflict_do_nothing(index_elements=key)
    return insert.on_conflict_do_update(
        index_elements=key, set_={c.name: insert.excluded[c.name] for c in others}
    )


def table_of(model: type[Base]) -> Table:
    """A model's Table, typed as one (``__table__`` is typed as any FromClause)."""
    return Base.metadata.tables[model.__tablename__]
