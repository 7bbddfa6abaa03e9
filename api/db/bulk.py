"""Multi-row inserts handed to the driver's ``executemany`` as plain values.

SQLAlchemy's ``execute(insert(table), rows)`` runs every value of every row through its
bind processors and parameter bookkeeping in Python; for the bulk writers (ingest, the
demo, the stories) that cost more than the database spent storing the rows. Here the
statement is compiled once per (table, columns, dialect) and each value is converted by a
small function chosen from its column type, the same conversion the type would apply
(``tests/db/test_bulk.py`` holds them equal), so rows read back identically whichever way
they were written. Types without a fast conversion use their own bind processor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from api.models.base import UtcDateTime

Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class InsertPlan:
    sql: str
    names: tuple[str, ...]  # the statement's parameters, in order
    positional: bool
    row: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # one row's values, in that order

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        values = list(map(self.row, rows))
        if self.positional:
            return values
        return [dict(zip(self.names, row, strict=True)) for row in values]


def _row_function(slots: Sequence[tuple[str | None, Convert | None]]) -> Any:
    """``lambda row: (row["a"], c1(row["b"]), d2(None), ...)``, built once per plan: a
    generic loop over the slots cost more than the conversions themselves."""
    names: dict[str, Any] = {}
    parts = []
    for index, (key, convert) in enumerate(slots):
        if convert is not None:
            names[f"c{index}"] = convert
        if key is None:
            parts.append(f"c{index}(None)")
        elif convert is None:
            parts.append(f"row[{key!r}]")
        else:
            parts.append(f"c{index}(row[{key!r}])")
    return eval(f"lambda row: ({', '.join(parts)},)", names)  # noqa: S307 (our own text)


_ZERO = dt.timedelta(0)


def sqlite_time(value: dt.datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format, from the UTC wall time.
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("naive datetime: timestamps must carry a time zone")
    if offset != _ZERO:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("naive datetime: timestamps must carry a time zone")
    return value


def _converter(dialect: Dialect, column_type: Any, serializer: Convert) -> Convert | None:
    if isinstance(column_type, UtcDateTime):
        return sqlite_time if dialect.name == "sqlite" else _aware
    if isinstance(column_type.dialect_impl(dialect), JSON):
        # A Python None is stored as JSON null, as SQLAlchemy's JSON type does by default.
        return serializer
    processor: Convert | None = column_type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _default(table: Table, name: str, dialect: Dialect, serializer: Convert) -> Convert:
    default = table.c[name].default
    if not isinstance(default, ScalarElementColumnDefault | CallableColumnDefault):
        raise ValueError(f"{table.name}.{name} has no Python default: give it in every row")
    convert = _converter(dialect, table.c[name].type, serializer)
    if isinstance(default, ScalarElementColumnDefault):
        value = default.arg if convert is None else convert(default.arg)
        return lambda _: value
    make = default.arg
    no_context: Any = None  # the project's defaults (utcnow, new_public_id...) take none
    if convert is None:
        return lambda _: make(no_context)
    return lambda _: convert(make(no_context))


@lru_cache(maxsize=256)
def insert_plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> InsertPlan:
    """The statement for rows with keys ``columns`` (plus the columns' Python defaults)."""
    compiled = table.insert().compile(
        dialect=dialect, column_keys=list(columns), for_executemany=True
    )
    serializer: Convert = getattr(dialect, "_json_serializer", None) or json.dumps
    # With column keys, the compiled INSERT names every given column and every column
    # with a Python default; the order is the statement's.
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    slots: list[tuple[str | None, Convert | None]] = []
    for name in names:
        if name in columns:
            slots.append((name, _converter(dialect, table.c[name].type, serializer)))
        else:
            slots.append((None, _default(table, name, dialect, serializer)))
    return InsertPlan(str(compiled), names, compiled.positional, _row_function(slots))


def _plan_for(table: Table, rows: Sequence[Mapping[str, Any]], dialect: Dialect) -> InsertPlan:
    return insert_plan(table, tuple(rows[0]), dialect)


async def insert_many(
    target: AsyncSession | AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the caller's transaction."""
    if not rows:
        return
    if isinstance(target, AsyncSession):
        await target.flush()  # what session.execute would autoflush first
        connection = await target.connection()
    else:
        connection = target
    plan = _plan_for(table, rows, connection.dialect)
    await connection.exec_driver_sql(plan.sql, plan.parameters(rows))


@dataclass(frozen=True, slots=True)
class PreparedInsert:
    """An insert with its driver parameters built, ready to run on any thread."""

    sql: str
    parameters: list[Any]

    def run(self, connection: Connection) -> None:
        connection.exec_driver_sql(self.sql, self.parameters)


def prepare_insert(
    dialect: Dialect, table: Table, rows: Sequence[Mapping[str, Any]]
) -> PreparedInsert | None:
    """``rows`` converted for the driver now; ``None`` when there are none."""
    if not rows:
        return None
    plan = _plan_for(table, rows, dialect)
    return PreparedInsert(plan.sql, plan.parameters(rows))
