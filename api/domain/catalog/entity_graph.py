"""Entities through the articles that mention them: co-occurring and trending entities.

Trending compares the mentions in a window with those in the window of equal length just
before it. The window ends at ``until`` when given, else at the newest article's
``published_at``: for a live service that is "now", and a frozen corpus (the demo ends on
2026-11-01) still has something to show. Articles in the two windows come from
``ix_articles_published_at_id``, their mentions by primary key.

Growth is ``(current - previous) / sqrt(previous + 1)``: the change measured in units of
the previous count's Poisson noise, so 200 -> 400 (14.1) outranks 1 -> 3 (1.4), while a
jump from nothing still counts. Only entities mentioned in the current window are listed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.domain.catalog.reads import ENTITY_COLUMNS, entity_from_row
from api.domain.shared.records import RelatedEntityRecord, TrendingPageRecord, TrendingRecord
from api.errors import InvalidInput
from api.models import Article, Entity, EntityType, Mention

MAX_ENTITIES = 50
TrendingWindow = Literal["24h", "7d"]
WINDOWS: dict[str, dt.timedelta] = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7)}


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_ENTITIES:
        raise InvalidInput.for_param("limit", f"must be between 1 and {MAX_ENTITIES}", status=400)


def growth_score(current: int, previous: int) -> float:
    return (current - previous) / math.sqrt(previous + 1)


async def co_occurring(
    session: AsyncSession, entity_slug: str, *, limit: int = 20
) -> list[RelatedEntityRecord] | None:
    """Entities mentioned in the same articles, most shared articles first; None if unknown.

    Exact counts (two statements): the self-join reads the entity's mentions from
    ``ix_mentions_entity_id_article_id`` and each article's other mentions by primary key.
    """
    _check_limit(limit)
    pk = (await session.execute(select(Entity.id).where(Entity.slug == entity_slug))).scalar()
    if pk is None:
        return None
    mine, theirs = aliased(Mention), aliased(Mention)
    counts = (
        select(theirs.entity_id, func.count().label("articles"))
        .select_from(mine)
        .join(
            theirs,
            and_(theirs.article_id == mine.article_id, theirs.entity_id != mine.entity_id),
        )
        .where(mine.entity_id == pk)
        .group_by(theirs.entity_id)
        .subquery()
    )
    stmt = (
        select(*ENTITY_COLUMNS, counts.c.articles)
        .join(counts, counts.c.entity_id == Entity.id)
        .order_by(counts.c.articles.desc(), _code_point(session, Entity.slug))
        .limit(limit)
    )
    return [
        RelatedEntityRecord(entity_from_row(row), int(row[8]))
        for row in await session.execute(stmt)
    ]


def _code_point(session: AsyncSession, column: Any) -> Any:
    # Ties by slug in the same order on both backends (PostgreSQL's may be locale-aware).
    postgres = session.get_bind().dialect.name == "postgresql"
    return column.collate("C") if postgres else column


async def trending(
    session: AsyncSession,
    *,
    window: str,
    limit: int = 20,
    until: dt.datetime | None = None,
    entity_type: EntityType | None = None,
) -> TrendingPageRecord:
    """Entities by mention growth in the window against the one before (two statements)."""
    _check_limit(limit)
    length = WINDOWS.get(window)
    if length is None:
        raise InvalidInput.for_param("window", f"must be one of {', '.join(WINDOWS)}", status=400)
    end = until
    if end is None:
        newest = (await session.execute(select(func.max(Article.published_at)))).scalar()
        end = newest or dt.datetime.now(dt.UTC)
    try:
        boundary, start = end - length, end - 2 * length
    except OverflowError:  # an `until` in year 1
        raise InvalidInput.for_param("until", "date out of range", status=400) from None
    current = func.sum(case((Article.published_at > boundary, 1), else_=0))
    counts = (
        select(Mention.entity_id, current.label("current"), func.count().label("total"))
        .select_from(Article)
        .join(Mention, Mention.article_id == Article.id)
        .where(Article.published_at > start, Article.published_at <= end)
        .group_by(Mention.entity_id)
        .having(current > 0)
        .subquery()
    )
    stmt = select(*ENTITY_COLUMNS, counts.c.current, counts.c.total).join(
        counts, counts.c.entity_id == Entity.id
    )
    if entity_type is not None:
        stmt = stmt.where(Entity.type == entity_type)
    items = []
    for row in await session.execute(stmt):
        now, total = int(row[8]), int(row[9])
        before = total - now
        items.append(TrendingRecord(entity_from_row(row), now, before, growth_score(now, before)))
    items.sort(key=lambda t: (-t.growth, -t.current, t.entity.slug))
    return TrendingPageRecord(window_start=boundary, window_end=end, items=items[:limit])
