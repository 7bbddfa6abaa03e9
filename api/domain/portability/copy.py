"""Copy a whole store into an empty database of either backend, keeping what clients see.

Rows travel verbatim (primary keys, public ids, slugs, versions, timestamps, the changes
log's positions, key hashes, webhook secrets) in the metadata's dependency order, read in
batches from one snapshot of the source. A PostgreSQL target takes them through COPY in
one transaction (``bulk``); a SQLite target a batch per transaction. What the target
derives from them (entity counts, the search index, PostgreSQL's sequences) is rebuilt at
the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, Table

from api.db import migrate
from api.domain.portability import derived
from api.domain.portability.bulk import bulk_load, copy_rows
from api.domain.portability.reading import count_rows, snapshot, table_batches
from api.domain.portability.tables import check_target, copied_tables, reset_sequences, row_dicts

COPY_BATCH_ROWS = 5_000
# Called with a stage name and how many rows (or articles) that stage has just done.
Progress = Callable[[str, int], None]
SEARCH_STAGE = "search index"


@dataclass(slots=True)
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)
    migrated: bool = False
    seconds: float = 0.0

    def describe(self) -> str:
        total = sum(self.rows.values())
        tables = ", ".join(f"{name} {count:,}" for name, count in self.rows.items() if count)
        head = "migrated the target, then copied" if self.migrated else "copied"
        return f"{head} {total:,} rows in {self.seconds:.1f}s ({tables})"


def prepare_target(target: Engine, target_url: str) -> bool:
    """Migrate a target at base; refuse one with data or at another revision (TargetRefused).

    Returns whether it was migrated.
    """
    with target.connect() as connection:
        at_base = check_target(connection)
    if at_base:
        migrate.upgrade(target_url)
    return at_base


def planned_rows(source: Engine) -> dict[str, int]:
    """Rows per table, for a progress bar (the copy itself reads a later snapshot)."""
    with snapshot(source) as connection:
        return {t.name: count_rows(connection, t) for t in copied_tables()}


def copy_store(
    source: Engine, target: Engine, *, progress: Progress | None = None, jobs: int = 2
) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (empty, at head: see prepare_target).

    ``jobs``: connections rebuilding a PostgreSQL target's search index side by side.
    """
    started = time.perf_counter()
    report = CopyReport()
    with snapshot(source) as reading:
        if target.dialect.name == "postgresql":
            with target.begin() as writing, bulk_load(writing):
                _copy_tables(reading, report, progress, lambda t, rows: copy_rows(writing, t, rows))
        else:
            _copy_tables(reading, report, progress, partial(_insert_batch, target))
    finish_target(target, progress, jobs=jobs)
    report.seconds = time.perf_counter() - started
    return report


def _copy_tables(
    reading: Connection,
    report: CopyReport,
    progress: Progress | None,
    write: Callable[[Table, Sequence[Any]], None],
) -> None:
    for table in copied_tables():
        copied = 0
        for rows in table_batches(reading, table, batch_rows=COPY_BATCH_ROWS):
            write(table, rows)
            copied += len(rows)
            if progress is not None:
                progress(table.name, len(rows))
        report.rows[table.name] = copied


def _insert_batch(target: Engine, table: Table, rows: Sequence[Any]) -> None:
    # SQLite: a transaction per batch keeps the WAL from growing to the size of the store.
    with target.begin() as writing:
        writing.execute(table.insert(), row_dicts(rows))


def finish_target(target: Engine, progress: Progress | None = None, *, jobs: int = 1) -> None:
    """Rebuild what the target derives from the copied rows; safe to run again."""
    derived.recount_entities(target)
    advance = None if progress is None else _stage(progress, SEARCH_STAGE)
    derived.reindex_all(target, advance, workers=jobs)
    with target.begin() as connection:
        reset_sequences(connection)


def _stage(progress: Progress, name: str) -> Callable[[int], None]:
    return lambda count: progress(name, count)
