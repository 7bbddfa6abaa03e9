"""REST feed pages as JSON: items of the fields a client asked for, in the REST feed
item's shape (``api.rest.core.views.feed_item_view``; a test holds the two to the same
JSON for generated filters, orders, cursors, scopes and fields).

The feed is the hottest read: each page is the articles' typed rows (source and category
joined, mentions alongside) built into items by a function generated once per field set
(``feed.assembled``), with no records or per-field objects in between.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    literal_column,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Reads, as_reads
from api.domain.feed.assembled import Assembly, feed_item_assembly
from api.domain.feed.query import cursor_params, document_page, page_cursor
from api.domain.shared.filters import ArticleFilter, ArticleOrder

# Every field a feed item may carry, in the order items write them ("id" always first).
FEED_ITEM_FIELDS = (
    "slug", "title", "url", "source", "author", "published_at", "updated_at", "image_url",
    "image_credit", "category", "sentiment", "sentiment_score", "importance", "summary",
    "language", "version", "entities", "analysis", "key_takeaways", "story",
)  # fmt: skip
_KNOWN_FIELDS = frozenset((*FEED_ITEM_FIELDS, "id"))


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """A feed page as JSON: ``items`` is the array's text, in feed order."""

    items: bytes
    next_cursor: str | None


async def article_page_documents(
    source: AsyncSession | Reads,
    article_filter: ArticleFilter,
    *,
    fields: Iterable[str],
    order: ArticleOrder = ArticleOrder.NEWEST,
    limit: int = 20,
    cursor: str | None = None,
    scope: ColumnElement[bool] | None = None,
) -> DocumentPage:
    """The page ``feed.article_page`` returns, with items already written as JSON.

    ``scope`` narrows the feed further (an entity's or a source's articles).
    """
    field_set = frozenset(fields)
    if not field_set <= _KNOWN_FIELDS:
        raise ValueError(f"unknown feed fields: {sorted(field_set - _KNOWN_FIELDS)}")
    params = cursor_params(order, cursor)
    reads = as_reads(source)
    plan, stmt = _page_statement(
        reads.dialect.name, field_set, order, limit, article_filter, bool(params)
    )
    if scope is not None:
        stmt = stmt.where(scope)
    async with reads.snapshot():  # the articles and their mentions, as of one moment
        rows = await reads.rows(stmt, params)
        items = await plan.array(reads, rows[:limit])
    width = len(plan.article_columns)
    next_cursor = page_cursor(order, rows[limit - 1][width:]) if len(rows) > limit else None
    return DocumentPage(items=items, next_cursor=next_cursor)


@functools.lru_cache(maxsize=128)
def _page_statement(
    dialect: str,
    fields: frozenset[str],
    order: ArticleOrder,
    limit: int,
    article_filter: ArticleFilter,
    after: bool,
) -> tuple[Assembly, Select[Any]]:
    names = ("id", *(name for name in FEED_ITEM_FIELDS if name in fields))
    plan = feed_item_assembly(dialect, names)
    columns: list[Any] = [literal_column(sql) for sql in plan.article_columns]
    return plan, document_page(dialect, columns, article_filter, order, limit, after=after)
