"""The ``broadsheet`` command: migrate, demo, ingest, serve, worker, export-schema."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from api.settings import Settings, get_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Broadsheet: a self-hostable article API (GraphQL and REST).

    The database comes from DATABASE_URL (default: a SQLite file under ./var/).
    """


@main.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def migrate(revision: str) -> None:
    """Upgrade the database schema (to the latest revision by default)."""
    from api.db import migrate as migrations
    from api.db.pooler import migrations_url

    # Directly to PostgreSQL when a pooler sits in front (BROADSHEET_MIGRATIONS_DATABASE_URL).
    migrations.upgrade(migrations_url(get_settings()), revision)
    click.echo(f"database at {revision}")


@main.command()
@click.option("--articles", "count", default=500, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when articles already exist.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
def demo(count: int, seed: int, if_empty: bool, progress: bool | None) -> None:
    """Load a deterministic synthetic corpus (sources, entities, articles, links)."""
    from api.db.database import create_sync_db_engine
    from api.demo import DemoError, generate_demo

    engine = create_sync_db_engine(get_settings())
    try:
        stats = generate_demo(
            engine,
            articles=count,
            seed=seed,
            if_empty=if_empty,
            progress=sys.stderr.isatty() if progress is None else progress,
        )
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(stats.describe())


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
def ingest(file: Path) -> None:
    """Upsert articles from a JSON Lines FILE ("-" for stdin), by canonical URL.

    The whole file is one transaction: a bad line is reported with its line number and
    field, and nothing is written.
    """
    from api.cli.ingest import IngestFileError, ingest_jsonl

    try:
        report = asyncio.run(ingest_jsonl(get_settings(), file))
    except IngestFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.describe())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1))
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the HTTP API with uvicorn (limits and timeouts come from the settings)."""
    import uvicorn

    from api.edge.lifecycle import serve as serve_gracefully
    from api.edge.lifecycle import server_options
    from api.observability.logging_setup import logging_config

    settings = get_settings()
    options: dict[str, Any] = {
        **server_options(settings),
        # Our one JSON line per request replaces uvicorn's access log (see README).
        "access_log": False,
        "log_config": logging_config(settings.log_level, settings.log_format),
        "log_level": settings.log_level,
    }
    if workers == 1 and not reload:
        serve_gracefully(host, port, options)
        return
    # Several workers or reloading: uvicorn's own supervisor (same limits; readiness then
    # turns false only when each worker's lifespan shuts down).
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        server_header=False,
        **options,
    )


@main.command("export-schema")
@click.option("--dir", "root", default=".", type=click.Path(file_okay=False, path_type=Path))
def export_schema(root: Path) -> None:
    """Write the API contracts (openapi.yaml, schema/*) from the code that serves them."""
    from api.cli.contracts import write_contracts

    for path in write_contracts(root):
        click.echo(f"wrote {path}")


@main.command()
def worker() -> None:
    """Deliver webhooks and cache purges until interrupted (`serve` also runs them unless
    webhook_worker=false)."""
    asyncio.run(_run_workers(get_settings()))


async def _run_workers(settings: Settings) -> None:
    from api.db.database import Database, create_async_db_engine
    from api.domain.purges import PurgeWorker
    from api.domain.shared.outbox_worker import OutboxWorker, run_until_signalled
    from api.domain.webhooks import WebhookWorker

    database = Database(create_async_db_engine(settings))
    workers: list[OutboxWorker[Any]] = [WebhookWorker(database, settings)]
    if settings.cache_purge_urls:
        workers.append(PurgeWorker(database, settings))
    try:
        await run_until_signalled(workers)
    finally:
        await database.dispose()


def _register_subcommands() -> None:
    from api.cli.backup import backup
    from api.cli.copy import copy
    from api.cli.export import export
    from api.cli.keys import keys

    main.add_command(keys)
    main.add_command(export)
    main.add_command(backup)
    main.add_command(copy)


_register_subcommands()
