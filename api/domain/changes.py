"""The changes log: every committed create, update and delete, in commit order.

``finish_write`` ends every writing transaction: it brings the search index and entity
counts up to date and appends the transaction's changes. On PostgreSQL the catch-up holds
an advisory lock until commit, so sequence numbers are taken in commit order and a
client reading ``seq > N`` can never see a later number commit before an earlier one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain import search_index, webhook_outbox
from api.domain.cursors import decode_cursor, encode_cursor
from api.errors import InvalidInput
from api.models import Article, Change
from api.models.base import utcnow

MAX_CHANGES_PAGE = 1000
CURSOR_KIND = "changes"


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    resource: str
    op: str
    resource_id: str
    version: int


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    seq: int
    resource: str
    op: str
    resource_id: str
    version: int
    at: dt.datetime


async def finish_write(session: AsyncSession, entries: Sequence[ChangeEntry]) -> None:
    """Call once per writing transaction, after its last write and before commit."""
    await session.flush()
    await search_index.catch_up(session)
    if entries:
        now = utcnow()
        await session.execute(
            insert(Change),
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
        await webhook_outbox.enqueue(session, entries)


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


def changes_cursor(seq: int) -> str:
    return encode_cursor(CURSOR_KIND, [seq])


async def list_changes(
    session: AsyncSession, since: str | None, *, limit: int
) -> tuple[list[ChangeRecord], str]:
    """Changes after the cursor, oldest first, and the cursor to poll with next.

    The returned cursor is given even when nothing is new, so a client keeps one
    position and asks again later.
    """
    if not 1 <= limit <= MAX_CHANGES_PAGE:
        raise ValueError(f"limit must be within 1..{MAX_CHANGES_PAGE}")
    after = 0
    if since is not None:
        after = int(decode_cursor(since, CURSOR_KIND, [int], param="since")[0])
        if not 0 <= after < 2**62:
            raise InvalidInput.for_param("since", "malformed cursor", status=400)
    stmt = select(Change).where(Change.seq > after).order_by(Change.seq).limit(limit)
    rows = (await session.scalars(stmt)).all()
    records = [ChangeRecord(r.seq, r.resource, r.op, r.resource_id, r.version, r.at) for r in rows]
    return records, changes_cursor(records[-1].seq if records else after)
