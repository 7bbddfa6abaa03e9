"""The changes log: every committed create, update and delete, in commit order.

Entries are appended by ``api.domain.changes.commit.finish_write``; this module reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.shared.cursors import IntPart, decode_cursor, encode_cursor
from api.models import Article, Change, Story, StoryMember

MAX_CHANGES_PAGE = 1000
CURSOR_KIND = "changes"
# A changes cursor holds one sequence number: BIGINT, and far from its end.
CURSOR_SEQ = IntPart(0, 2**62 - 1)


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
    # An article's current story (its public id), once clustered; None otherwise.
    story_id: str | None = None


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
        after = int(decode_cursor(since, CURSOR_KIND, [CURSOR_SEQ], param="since")[0])
    # The story is read now, not logged: an article's story may change without a change
    # of its own (another article joins and the two stories merge).
    article = and_(Change.resource == "article", Article.public_id == Change.resource_id)
    stmt = (
        select(Change, Story.public_id)
        .outerjoin(Article, article)
        .outerjoin(StoryMember, StoryMember.article_id == Article.id)
        .outerjoin(Story, Story.id == StoryMember.story_id)
        .where(Change.seq > after)
        .order_by(Change.seq)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    records = [
        ChangeRecord(r.seq, r.resource, r.op, r.resource_id, r.version, r.at, story)
        for r, story in rows
    ]
    return records, changes_cursor(records[-1].seq if records else after)
