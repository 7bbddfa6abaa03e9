"""A story's aggregates, recomputed from its members after every change to them.

``size`` (members), ``source_count`` (distinct sources), ``headline_article_id`` (highest
importance; ties to the earliest published, then the lowest id), ``first_published_at`` and
``last_published_at``; ``updated_at`` moves when any of them changed. ``sources``, the
JSON list of its sources that article stories carry, is kept too (``updated_at`` stays when
only it changed: a source renamed is not a change of the story's articles). A story left
without members is deleted. One read of the members and one write per kind, for any number
of stories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_rows
from api.models import Article, Source
from api.models.base import utcnow
from api.models.story import Story, StoryMember
from api.settings import get_settings

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


def sources_json(covered: Iterable[tuple[Any, int, str, str]]) -> str:
    """``stories.sources`` from (published_at, source id, slug, name) of every member: each
    source once, by its first coverage, then slug (code-point order, the same on every
    database), as ``[{"slug", "name"}]``."""
    first: dict[int, tuple[Any, str, str]] = {}
    for at, source_id, slug, name in covered:
        seen = first.get(source_id)
        if seen is None or at < seen[0]:
            first[source_id] = (at, slug, name)
    ordered = sorted(first.values(), key=lambda s: (s[0], s[1]))
    return orjson.dumps([{"slug": slug, "name": name} for _, slug, name in ordered]).decode()


async def refresh_stories(session: AsyncSession, story_ids: Collection[int]) -> None:
    if not story_ids:
        return
    ids = sorted(story_ids)
    members: dict[int, list[tuple[int, int, Any, int]]] = defaultdict(list)
    covered: dict[int, list[tuple[Any, int, str, str]]] = defaultdict(list)
    stored: dict[int, tuple[Any, ...]] = {}
    # One read: each member with its source and its story's stored values alongside.
    stmt = (
        select(
            StoryMember.story_id,
            Article.id,
            Article.importance,
            Article.published_at,
            Article.source_id,
            Source.slug,
            Source.name,
            Story.size,
            Story.source_count,
            Story.headline_article_id,
            Story.first_published_at,
            Story.last_published_at,
            Story.sources,
            Story.updated_at,
        )
        .join(Article, Article.id == StoryMember.article_id)
        .join(Source, Source.id == Article.source_id)
        .join(Story, Story.id == StoryMember.story_id)
    )
    for chunk in chunks(ids):
        for row in await fetch_rows(session, stmt.where(StoryMember.story_id.in_(chunk))):
            members[row[0]].append((row[1], row[2], row[3], row[4]))
            covered[row[0]].append((row[3], row[4], row[5], row[6]))
            stored[row[0]] = tuple(row[7:])
    # A story without members left is not in the read above; deleting ids that are gone
    # already is harmless, so every such id is simply deleted.
    now = utcnow()
    changes = []
    for story_id in ids:
        if story_id not in members:
            continue
        values = summarize(members[story_id])
        sources = sources_json(covered[story_id])
        *aggregates, stored_sources, updated_at = stored[story_id]
        if tuple(values.values()) != tuple(aggregates):
            updated_at = now
        elif sources == stored_sources:
            continue
        changes.append({"id": story_id, **values, "sources": sources, "updated_at": updated_at})
    if changes:
        await session.execute(update(Story), changes)
    empty = [story_id for story_id in ids if story_id not in members]
    for chunk in chunks(empty):
        await session.execute(delete(Story).where(Story.id.in_(chunk)))


async def refresh_source_stories(session: AsyncSession, source_ids: Collection[int]) -> None:
    """After sources were renamed: the stories they cover carry the new names. Flushes
    first (a rename may be pending in the session); one read per 500 sources, then the
    refresh of those stories. Like every story write, nothing with stories off."""
    if not source_ids or not get_settings().stories_enabled:
        return
    await session.flush()
    stories: set[int] = set()
    covering = (
        select(StoryMember.story_id).join(Article, Article.id == StoryMember.article_id).distinct()
    )
    for chunk in chunks(sorted(source_ids)):
        rows = await fetch_rows(session, covering.where(Article.source_id.in_(chunk)))
        stories |= {row[0] for row in rows}
    await refresh_stories(session, stories)
