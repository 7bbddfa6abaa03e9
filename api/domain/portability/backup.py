"""Consistent SQLite backups through SQLite's online backup API.

``sqlite3.Connection.backup`` copies the database a number of pages per step. The store
runs in WAL mode, where a reader never blocks writers: the backup reads inside one read
transaction, so every step copies the same committed state while the server keeps
writing (into the WAL), and the steps never restart however busy the writers are.

PostgreSQL has its own tools (pg_dump, base backups with WAL archiving): see
docs/moving-to-postgresql.md.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

BACKUP_PAGES_PER_STEP = 1_024  # 4 MiB of default-size pages per step
# A pause between steps leaves the disk and a core to the server now and then.
STEP_PAUSE_SECONDS = 0.001
GUIDE = "docs/moving-to-postgresql.md"


class BackupRefused(Exception):
    """The store or the destination does not allow a backup as asked."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    pages: int
    seconds: float

    def describe(self) -> str:
        size = self.path.stat().st_size
        return (
            f"backed up {self.pages:,} pages ({size:,} bytes) to {self.path} in {self.seconds:.1f}s"
        )


def backup_sqlite(
    database_url: str,
    destination: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BackupReport:
    """Write a consistent copy of the SQLite store at ``database_url`` to ``destination``.

    ``progress(done_pages, total_pages)`` is called after each step.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            f"backup works on SQLite stores only; for PostgreSQL use pg_dump or a base "
            f"backup with WAL archiving, as {GUIDE} describes"
        )
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory database has nothing to back up")
    source_path = Path(url.database)
    if not source_path.exists():
        raise BackupRefused(f"no database file at {source_path}")
    if destination.exists():
        raise BackupRefused(f"{destination} exists; back up to a new file")
    started = time.perf_counter()
    # Written beside the destination and renamed at the end: a failed or interrupted
    # backup never leaves a half-written file under the name asked for.
    partial = destination.with_name(destination.name + ".partial")
    source = sqlite3.connect(source_path, isolation_level=None)
    try:
        # One read transaction held across every step: in WAL mode it pins one snapshot
        # without blocking writers, so the steps copy that snapshot and never restart.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        target = sqlite3.connect(partial)
        try:

            def step(status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)
                time.sleep(STEP_PAUSE_SECONDS)

            source.backup(target, pages=BACKUP_PAGES_PER_STEP, progress=step)
            pages = target.execute("PRAGMA page_count").fetchone()[0]
            # The copy keeps WAL mode; fold everything into the one file handed over.
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            target.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    partial.rename(destination)
    return BackupReport(destination, int(pages), time.perf_counter() - started)
