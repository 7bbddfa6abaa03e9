"""``broadsheet copy``: move a whole store to another database (SQLite <-> PostgreSQL)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from api.settings import get_settings


@click.command("copy")
@click.option(
    "--to", "target_url", required=True, metavar="DATABASE_URL", help="The database to fill."
)
@click.option(
    "--catch-up",
    is_flag=True,
    help="Copy only what changed on the source since the previous copy into this target.",
)
@click.option(
    "--jobs",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Connections rebuilding a PostgreSQL target's search index side by side.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
def copy(target_url: str, catch_up: bool, jobs: int, progress: bool | None) -> None:
    """Copy the store at DATABASE_URL into the database at --to, keeping public ids,
    versions, times, tombstones, the changes log's positions, API keys and webhooks.

    The target must be empty: at base (it is migrated first) or freshly migrated. The
    source may keep serving; a later --catch-up run copies what it wrote meanwhile. See
    docs/moving-to-postgresql.md for the switch-over.
    """
    from api.db.database import backend_of, create_sync_db_engine
    from api.domain.portability import (
        TargetRefused,
        catch_up_store,
        copy_store,
        planned_rows,
        prepare_target,
    )

    settings = get_settings()
    try:
        backend_of(target_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from exc
    if _same_database(settings.database_url, target_url):
        raise click.BadParameter("the target is the source database", param_hint="--to")
    show = sys.stderr.isatty() if progress is None else progress
    source = create_sync_db_engine(settings)
    target = create_sync_db_engine(settings, url=target_url)
    try:
        try:
            if catch_up:
                click.echo(catch_up_store(source, target).describe())
                return
            migrated = prepare_target(target, target_url)
        except TargetRefused as exc:
            raise click.ClickException(str(exc)) from exc
        total = sum(planned_rows(source).values()) if show else 0
        with _progress(show, total) as advance:
            copied = copy_store(source, target, progress=advance, jobs=jobs)
        copied.migrated = migrated
        click.echo(copied.describe())
    finally:
        source.dispose()
        target.dispose()


@contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[str, int], None] | None]:
    """``advance(stage, count)`` drawing a click progress bar on stderr, or None."""
    from api.domain.portability import SEARCH_STAGE

    if not show:
        yield None
        return
    with click.progressbar(length=total, label="copying", file=sys.stderr, show_pos=True) as bar:

        def advance(stage: str, count: int) -> None:
            bar.label = stage
            # The search rebuild counts articles again: only copied rows fill the bar.
            bar.update(0 if stage == SEARCH_STAGE else count)

        yield advance


def _same_database(source_url: str, target_url: str) -> bool:
    from sqlalchemy.engine import make_url

    a, b = make_url(source_url), make_url(target_url)
    return (a.get_backend_name(), a.host, a.port, a.database) == (
        b.get_backend_name(),
        b.host,
        b.port,
        b.database,
    )
