"""The post-write step that ends every writing transaction.

``finish_write`` brings the search index and entity counts up to date, appends the
transaction's changes to the log and queues the webhook deliveries and cache purges they
owe. On PostgreSQL
the catch-up holds an advisory lock until commit, so sequence numbers are taken in commit
order and a client reading ``seq > N`` can never see a later number commit before an
earlier one. The last number a transaction took is its *position* (``written_position``):
write answers carry it, and a replica that holds it has applied that write (api.db.replicas).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.changes.log import ChangeEntry
from api.domain.purges import outbox as purge_outbox
from api.domain.search import index as search_index
from api.domain.webhooks import outbox as webhook_outbox
from api.models import Article, Change
from api.models.base import utcnow

# Where a writing session keeps the sequence number of the last change it logged.
_POSITION_KEY = "broadsheet_position"


async def finish_write(session: AsyncSession, entries: Sequence[ChangeEntry]) -> None:
    """Call once per writing transaction, after its last write and before commit."""
    await session.flush()
    await search_index.catch_up(session)
    if entries:
        now = utcnow()
        logged = await session.execute(
            insert(Change).returning(Change.seq),
            [
                {
                    "resource": e.resource,
                    "op": e.op,
                    "resource_id": e.resource_id,
                    "version": e.version,
                    "at": now,
                }
                for e in entries
            ],
        )
        last = max(logged.scalars())
        session.info[_POSITION_KEY] = max(session.info.get(_POSITION_KEY, 0), last)
        await webhook_outbox.enqueue(session, entries)
        await purge_outbox.enqueue(session, entries)


def written_position(session: AsyncSession) -> int | None:
    """The changes-log position of this writing session's last change, if it logged any."""
    position: int | None = session.info.get(_POSITION_KEY)
    return position


async def bump_articles(session: AsyncSession, article_ids: Select[Any]) -> list[ChangeEntry]:
    """Move these articles on a version because something they embed went away.

    Deleting a link target or an entity changes the articles that pointed at it; a mirror
    must hear of that, so they get a new version and an ``updated`` entry each.
    """
    bumped = await session.execute(
        update(Article)
        .where(Article.id.in_(article_ids))
        .values(version=Article.version + 1, updated_at=utcnow())
        .returning(Article.public_id, Article.version)
        .execution_options(synchronize_session=False)
    )
    return [ChangeEntry("article", "updated", public_id, v) for public_id, v in bumped]
