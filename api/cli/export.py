"""``broadsheet export``: the store as a JSON Lines file that ``broadsheet ingest`` reads."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click

from api.settings import get_settings


@click.command("export")
@click.argument(
    "file",
    default="-",
    type=click.Path(dir_okay=False, writable=True, path_type=Path, allow_dash=True),
)
@click.option(
    "--since",
    "cursor",
    metavar="CURSOR",
    help="Only articles changed after this changes-log position (a /v1/changes cursor).",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
def export(file: Path, cursor: str | None, progress: bool | None) -> None:
    """Write every article (with its source, category, entities, mentions and links) to
    FILE ("-", the default, for stdout) as JSON Lines, read in one consistent snapshot.

    The summary, with the --since cursor to continue from, goes to stderr.
    """
    from api.db.database import create_sync_db_engine
    from api.domain.portability import open_export, since_position
    from api.errors import InvalidInput

    since = None
    if cursor is not None:
        try:
            since = since_position(cursor)
        except InvalidInput as exc:
            raise click.BadParameter(
                "not a changes cursor; pass next_cursor from /v1/changes or an earlier export",
                param_hint="--since",
            ) from exc
    to_stdout = str(file) == "-"
    show = sys.stderr.isatty() if progress is None else progress
    engine = create_sync_db_engine(get_settings())
    try:
        with open_export(engine, since=since) as run, _output(file, to_stdout) as stream:
            chunks = run.chunks()
            if show:
                with click.progressbar(
                    length=run.total(), label="exporting articles", file=sys.stderr
                ) as bar:
                    for data, count in chunks:
                        stream.write(data)
                        bar.update(count)
            else:
                for data, _count in chunks:
                    stream.write(data)
    finally:
        engine.dispose()
    click.echo(run.report.describe(), err=True)


@contextmanager
def _output(file: Path, to_stdout: bool) -> Iterator[BinaryIO]:
    if to_stdout:
        # sys.stdout.buffer rather than click's typed-as-object binary stream lookup.
        stdout = sys.stdout.buffer
        yield stdout
        stdout.flush()  # stdout is not ours to close
        return
    with file.open("wb") as stream:
        yield stream
