"""Feed pages and single articles as JSON of a caller's shape (``feed.shapes``): one
statement each, every article written by the database, no rows turned into objects.

Statements are built once per shape, order, page size and filter, as the REST documents'
are; a cursor's values are bound at execution, so every page of a feed shares one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, String, bindparam, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import fetch_first, fetch_rows
from api.domain.feed.query import (
    article_cursor_key,
    cursor_params,
    document_page,
    joined_articles,
)
from api.domain.feed.shapes import Shape, article_json
from api.domain.shared.filters import ArticleFilter, ArticleOrder
from api.models import Article
from api.models.base import UtcDateTime

_PUBLISHED_AT = UtcDateTime()


@dataclass(frozen=True, eq=False)
class ShapeSet:
    """Shapes a caller plans once and sends with every request: compared and hashed by
    identity, so finding their cached statement costs nothing however deep they are."""

    shapes: tuple[Shape, ...]


@dataclass(frozen=True, slots=True)
class ShapedPage:
    """A page of articles as JSON texts (one per shape asked for), in feed order, with what
    their cursors need."""

    items: list[Sequence[str]]
    has_next: bool
    order: ArticleOrder
    _keys: Sequence[Sequence[Any]]
    _dialect: Dialect

    def cursor(self, index: int) -> str:
        """The cursor that resumes the feed right after item ``index``."""
        key = list(self._keys[index])
        key[-2] = _PUBLISHED_AT.process_result_value(key[-2], self._dialect)
        return article_cursor_key(self.order, key)


@functools.lru_cache(maxsize=256)
def _page_statement(
    dialect: str,
    shape_set: ShapeSet,
    order: ArticleOrder,
    limit: int,
    article_filter: ArticleFilter,
    after: bool,
) -> Select[Any]:
    documents = [literal_column(article_json(dialect, shape), String) for shape in shape_set.shapes]
    return document_page(documents, article_filter, order, limit, after=after)


async def shaped_page(
    session: AsyncSession,
    shape_set: ShapeSet,
    article_filter: ArticleFilter,
    *,
    order: ArticleOrder,
    limit: int,
    cursor: str | None,
) -> ShapedPage:
    """The page ``feed.article_page`` returns, each article written in each shape."""
    params = cursor_params(order, cursor)
    dialect = session.get_bind().dialect
    stmt = _page_statement(dialect.name, shape_set, order, limit, article_filter, bool(params))
    rows = await fetch_rows(session, stmt, params)
    page = rows[:limit]
    width = len(shape_set.shapes)
    return ShapedPage(
        items=[row[:width] for row in page],
        has_next=len(rows) > limit,
        order=order,
        _keys=[row[width:] for row in page],
        _dialect=dialect,
    )


@functools.lru_cache(maxsize=256)
def _one_statement(
    dialect: str, shape_set: ShapeSet, by: Literal["public_id", "slug"]
) -> Select[Any]:
    document = literal_column(article_json(dialect, shape_set.shapes[0]), String)
    column = Article.public_id if by == "public_id" else Article.slug
    return joined_articles(document).where(column == bindparam("key", type_=String)).limit(1)


async def shaped_article(
    session: AsyncSession, shape_set: ShapeSet, *, by: Literal["public_id", "slug"], key: str
) -> str | None:
    """One article's JSON in the set's (one) shape, by public id or by slug; None when there
    is none."""
    stmt = _one_statement(session.get_bind().dialect.name, shape_set, by)
    row = await fetch_first(session, stmt, {"key": key})
    return None if row is None else str(row[0])
