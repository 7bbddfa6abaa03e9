"""Writing purges: one row per cache endpoint in the writing transaction, naming the keys
its changes made stale.

``enqueue`` runs inside ``finish_write``, so a purge is sent only for a committed change,
and one statement adds them all whatever the number of changes. The endpoints are the
process's settings (``BROADSHEET_CACHE_PURGE_URLS``); with none, nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.purges.keys import change_keys
from api.models.base import utcnow
from api.models.ids import new_public_id
from api.models.purges import CachePurge
from api.settings import get_settings

if TYPE_CHECKING:
    from api.domain.changes.log import ChangeEntry


def stale_keys(entries: Iterable[ChangeEntry]) -> list[str]:
    """The distinct keys these changes make stale, in first-seen order."""
    keys: dict[str, None] = {}
    for entry in entries:
        keys.update(dict.fromkeys(change_keys(entry.resource, entry.resource_id)))
    return list(keys)


async def enqueue(session: AsyncSession, entries: Iterable[ChangeEntry]) -> None:
    """Queue this transaction's purges; call from ``finish_write`` before commit."""
    targets = get_settings().cache_purge_urls
    if not targets:
        return
    keys = stale_keys(entries)
    if not keys:
        return
    now = utcnow()
    await session.execute(
        insert(CachePurge),
        [
            {
                "id": new_public_id(),
                "target": target,
                "keys": keys,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for target in targets
        ],
    )
