"""``broadsheet backup``: a consistent snapshot of a SQLite store, taken while it serves."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.settings import get_settings


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
def backup(file: Path, progress: bool | None) -> None:
    """Back up the SQLite store at DATABASE_URL to FILE (a new file), with SQLite's online
    backup API: the server keeps writing meanwhile, and FILE holds one committed state.

    Restore: stop the server, put FILE in place of the database file (removing its -wal and
    -shm files), start it. PostgreSQL stores are refused: use pg_dump or WAL archiving
    (docs/moving-to-postgresql.md).
    """
    from api.domain.portability import BackupRefused, backup_sqlite

    show = sys.stderr.isatty() if progress is None else progress
    try:
        if show:
            with click.progressbar(length=1, label="backing up", file=sys.stderr) as bar:

                def advance(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)

                report = backup_sqlite(get_settings().database_url, file, progress=advance)
        else:
            report = backup_sqlite(get_settings().database_url, file)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.describe())
