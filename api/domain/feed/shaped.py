"""Feed pages and single articles as JSON of a caller's shape (``feed.shapes``).

A feed page is built from typed rows by a function generated once per shape
(``feed.assembled``); a shape holding stored links, and a single article, are one
statement in which the database writes each article's JSON. Statements are built once per
shape, order, page size and filter; a cursor's values are bound at execution, so every page
of a feed shares one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import Select, String, bindparam, literal_column
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Reads, as_reads
from api.domain.feed.assembled import Assembly, NotAssembled, assembly
from api.domain.feed.query import cursor_params, document_page, joined_articles, page_cursor
from api.domain.feed.shapes import Shape, article_json
from api.domain.shared.filters import ArticleFilter, ArticleOrder
from api.models import Article


@dataclass(frozen=True, eq=False)
class ShapeSet:
    """Shapes a caller plans once and sends with every request: compared and hashed by
    identity, so finding their cached statement costs nothing however deep they are."""

    shapes: tuple[Shape, ...]


@dataclass(frozen=True, slots=True)
class ShapedPage:
    """A page of articles in feed order, each as JSON-ready values (one per shape asked
    for: objects built from typed rows, or ``orjson.Fragment`` of the JSON the database
    wrote), with what their cursors need."""

    items: Sequence[Sequence[Any]]
    has_next: bool
    order: ArticleOrder
    _keys: Sequence[Sequence[Any]]

    def cursor(self, index: int) -> str:
        """The cursor that resumes the feed right after item ``index``."""
        return page_cursor(self.order, self._keys[index])


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
    return document_page(dialect, documents, article_filter, order, limit, after=after)


async def shaped_page(
    source: AsyncSession | Reads,
    shape_set: ShapeSet,
    article_filter: ArticleFilter,
    *,
    order: ArticleOrder,
    limit: int,
    cursor: str | None,
) -> ShapedPage:
    """The page ``feed.article_page`` returns, each article written in each shape."""
    params = cursor_params(order, cursor)
    reads = as_reads(source)
    assembled = _assembly(reads.dialect.name, shape_set)
    if assembled is not None:
        return await _assembled_page(reads, assembled, article_filter, order, limit, params)
    stmt = _page_statement(
        reads.dialect.name, shape_set, order, limit, article_filter, bool(params)
    )
    rows = await reads.rows(stmt, params)
    page = rows[:limit]
    width = len(shape_set.shapes)
    return ShapedPage(
        items=[[orjson.Fragment(text) for text in row[:width]] for row in page],
        has_next=len(rows) > limit,
        order=order,
        _keys=[row[width:] for row in page],
    )


@functools.lru_cache(maxsize=256)
def _assembly(dialect: str, shape_set: ShapeSet) -> Assembly | None:
    """The plan for building pages of these shapes from typed rows (``feed.assembled``),
    unless one holds what only the database's JSON writes (stored links)."""
    try:
        return assembly(dialect, shape_set.shapes)
    except NotAssembled:
        return None


@functools.lru_cache(maxsize=256)
def _assembled_statement(
    dialect: str,
    assembled: Assembly,
    order: ArticleOrder,
    limit: int,
    article_filter: ArticleFilter,
    after: bool,
) -> Select[Any]:
    columns: list[Any] = [literal_column(sql) for sql in assembled.article_columns]
    return document_page(dialect, columns, article_filter, order, limit, after=after)


async def _assembled_page(
    reads: Reads,
    assembled: Assembly,
    article_filter: ArticleFilter,
    order: ArticleOrder,
    limit: int,
    params: dict[str, Any],
) -> ShapedPage:
    stmt = _assembled_statement(
        reads.dialect.name, assembled, order, limit, article_filter, bool(params)
    )
    async with reads.snapshot():  # the articles and their mentions, as of one moment
        rows = await reads.rows(stmt, params)
        page = rows[:limit]
        items = await assembled.items(reads, page)
    width = len(assembled.article_columns)
    return ShapedPage(
        items=items,
        has_next=len(rows) > limit,
        order=order,
        _keys=[row[width:] for row in page],
    )


@functools.lru_cache(maxsize=256)
def _one_statement(
    dialect: str, shape_set: ShapeSet, by: Literal["public_id", "slug"]
) -> Select[Any]:
    document = literal_column(article_json(dialect, shape_set.shapes[0]), String)
    column = Article.public_id if by == "public_id" else Article.slug
    return joined_articles(document).where(column == bindparam("key", type_=String)).limit(1)


async def shaped_article(
    source: AsyncSession | Reads,
    shape_set: ShapeSet,
    *,
    by: Literal["public_id", "slug"],
    key: str,
) -> orjson.Fragment | None:
    """One article's JSON (written by the database) in the set's (one) shape, by public id
    or by slug; None when there is none."""
    reads = as_reads(source)
    rows = await reads.rows(_one_statement(reads.dialect.name, shape_set, by), {"key": key})
    return orjson.Fragment(rows[0][0]) if rows else None
