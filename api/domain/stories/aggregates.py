"""A story's aggregates, recomputed from its members after every change to them.

``size`` (members), ``source_count`` (distinct sources), ``headline_article_id`` (highest
importance; ties to the earliest published, then the lowest id), ``first_published_at`` and
``last_published_at``; ``updated_at`` moves when any of them changed. A story left without
members is deleted. One read of the members and one write per kind, for any number of
stories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_rows
from api.models import Article
from api.models.base import utcnow
from api.models.story import Story, StoryMember

IN_CHUNK = 500  # as the ingest's IN lists: one statement per 500 keys
T = TypeVar("T")


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def summarize(members: list[tuple[int, int, Any, int]]) -> dict[str, Any]:
    """Aggregates from (article id, importance, published_at, source id) of every member."""
    headline = min(members, key=lambda m: (-m[1], m[2], m[0]))
    return {
        "size": len(members),
        "source_count": len({m[3] for m in members}),
        "headline_article_id": headline[0],
        "first_published_at": min(m[2] for m in members),
        "last_published_at": max(m[2] for m in members),
    }


async def refresh_stories(session: AsyncSession, story_ids: Collection[int]) -> None:
    if not story_ids:
        return
    ids = sorted(story_ids)
    members: dict[int, list[tuple[int, int, Any, int]]] = defaultdict(list)
    stored: dict[int, tuple[Any, ...]] = {}
    # One read: each member with its story's stored aggregates alongside.
    stmt = (
        select(
            StoryMember.story_id,
            Article.id,
            Article.importance,
            Article.published_at,
            Article.source_id,
            Story.size,
            Story.source_count,
            Story.headline_article_id,
            Story.first_published_at,
            Story.last_published_at,
        )
        .join(Article, Article.id == StoryMember.article_id)
        .join(Story, Story.id == StoryMember.story_id)
    )
    for chunk in chunks(ids):
        for row in await fetch_rows(session, stmt.where(StoryMember.story_id.in_(chunk))):
            members[row[0]].append((row[1], row[2], row[3], row[4]))
            stored[row[0]] = tuple(row[5:])
    # A story without members left is not in the read above; deleting ids that are gone
    # already is harmless, so every such id is simply deleted.
    now = utcnow()
    changes = []
    for story_id in ids:
        if story_id not in members:
            continue
        values = summarize(members[story_id])
        if tuple(values.values()) != stored[story_id]:
            changes.append({"id": story_id, **values, "updated_at": now})
    if changes:
        await session.execute(update(Story), changes)
    empty = [story_id for story_id in ids if story_id not in members]
    for chunk in chunks(empty):
        await session.execute(delete(Story).where(Story.id.in_(chunk)))
