"""``broadsheet keys``: issue, list and revoke API keys."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import Database, create_async_db_engine
from api.domain import access as key_store
from api.errors import BroadsheetError
from api.models import KeyScope
from api.settings import get_settings

T = TypeVar("T")


def _in_session(work: Callable[[AsyncSession], Awaitable[T]], *, write: bool) -> T:
    async def run() -> T:
        database = Database(create_async_db_engine(get_settings()))
        try:
            async with database.session(write=write) as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except BroadsheetError as exc:
        raise click.ClickException(exc.detail) from exc


@click.group()
def keys() -> None:
    """Manage API keys (only a hash is stored; a key is shown once, when created)."""


@keys.command("create")
@click.option("--name", required=True, help="Who or what the key is for.")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in KeyScope]),
    default=KeyScope.READ.value,
    show_default=True,
    help="read < write < admin; each includes the ones before it.",
)
def create(name: str, scope: str) -> None:
    """Create a key and print it once."""
    record, token = _in_session(
        lambda s: key_store.create_key(s, name, KeyScope(scope)), write=True
    )
    click.echo(token)
    click.echo(
        f"key {record.key_id} ({record.scope}) for {record.name!r}: store it now, "
        "it cannot be shown again",
        err=True,
    )


@keys.command("list")
def list_() -> None:
    """List keys: id, scope, name, created, revoked."""
    for record in _in_session(key_store.list_keys, write=False):
        revoked = record.revoked_at.isoformat() if record.revoked_at else "-"
        click.echo(
            f"{record.key_id}\t{record.scope}\t{record.name}\t"
            f"{record.created_at.isoformat()}\t{revoked}"
        )


@keys.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke a key by its id (the part after ``bsk_``); effective within seconds."""
    record = _in_session(lambda s: key_store.revoke_key(s, key_id), write=True)
    click.echo(f"revoked {record.key_id} ({record.name!r})")
