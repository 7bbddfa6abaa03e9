"""Syndication feeds: the newest articles for a feed filter, as RSS, Atom and JSON Feed show them.

One read for all three formats (the doors only render), built on the feed's own query so a
filter selects exactly what ``/v1/articles`` would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.feed.query import article_page
from api.domain.shared.filters import ArticleFilter, ArticleOrder
from api.domain.shared.records import ArticleRecord
from api.domain.stories.article_stories import collapsed_scope

DEFAULT_FEED_SIZE = 50
# An empty feed still needs an "updated" time; a fixed one keeps its ETag stable.
EMPTY_FEED_UPDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Syndication:
    items: list[ArticleRecord]
    # The newest change among the items: the feed's own "updated" (never "now", so an
    # unchanged feed renders to the same bytes and keeps its ETag).
    updated: dt.datetime


async def syndication(
    session: AsyncSession,
    article_filter: ArticleFilter,
    *,
    limit: int = DEFAULT_FEED_SIZE,
    collapse: bool = False,
) -> Syndication:
    """The newest ``limit`` articles matching the filter, with their entities; with
    ``collapse``, one per story (its headline), as the feed collapsed by story."""
    page = await article_page(
        session,
        article_filter,
        order=ArticleOrder.NEWEST,
        limit=limit,
        with_mentions=True,
        scope=collapsed_scope() if collapse else None,
    )
    updated = max((a.updated_at for a in page.items), default=EMPTY_FEED_UPDATED)
    return Syndication(items=page.items, updated=updated)
