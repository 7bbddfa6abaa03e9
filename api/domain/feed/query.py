"""The feed: filtered, ordered, keyset-paginated article lists (also per entity/source)."""

from __future__ import annotations

import binascii
import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Reads, as_reads
from api.db.database import fetch_rows
from api.domain.shared import json_sql
from api.domain.shared.article_rows import article_from_row, mentions_by_article, select_articles
from api.domain.shared.cursors import INT32_MAX, IntPart, decode_cursor
from api.domain.shared.filters import ArticleFilter, ArticleOrder, filter_conditions
from api.domain.shared.records import ArticleRecord, Page
from api.domain.stories.article_stories import story_refs_by_article
from api.models import Article, Category, Source

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MIN_MICROS = -62_135_510_400_000_000  # 0001-01-02: datetime cannot go lower
_MAX_MICROS = 253_402_128_000_000_000  # 9999-12-30


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def _from_micros(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def sort_columns(order: ArticleOrder) -> list[Any]:
    # Every ordering ends in the primary key: a unique tie-breaker makes keyset paging exact.
    if order is ArticleOrder.IMPORTANCE:
        return [Article.importance, Article.published_at, Article.id]
    return [Article.published_at, Article.id]


def article_cursor(order: ArticleOrder, article: ArticleRecord) -> str:
    """The cursor that resumes the feed right after ``article`` (a page's next_cursor)."""
    key = [_micros(article.published_at), article.pk]
    if order is ArticleOrder.IMPORTANCE:
        key = [article.importance, *key]
    return page_cursor(order, key)


def paged(
    stmt: Select[Any],
    article_filter: ArticleFilter,
    order: ArticleOrder,
    limit: int,
    *,
    after: bool,
) -> Select[Any]:
    """``stmt`` narrowed to the filter, past a cursor when ``after`` (its values bound at
    execution, ``cursor_params``), in feed order, with one row over the limit: its
    presence says there is a next page."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be within 1..{MAX_PAGE_SIZE}")
    columns = sort_columns(order)
    stmt = stmt.where(*filter_conditions(article_filter))
    if after:
        bound = [bindparam(f"after_{i}", type_=column.type) for i, column in enumerate(columns)]
        stmt = stmt.where(tuple_(*columns) < tuple_(*bound))
    return stmt.order_by(*(column.desc() for column in columns)).limit(limit + 1)


def joined_articles(*columns: Any) -> Select[Any]:
    """``columns`` of articles joined to their source and, outer, their category."""
    return (
        select(*columns)
        .select_from(Article)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
    )


def document_page(
    dialect: str,
    documents: Sequence[ColumnElement[Any]],
    article_filter: ArticleFilter,
    order: ArticleOrder,
    limit: int,
    *,
    after: bool,
) -> Select[Any]:
    """A feed page's statement whose rows are ``documents`` then each row's cursor key as
    the cursor writes it (the time in microseconds): ``page_cursor`` encodes it as is."""
    time = literal_column(json_sql.micros(dialect, "articles.published_at"), BigInteger)
    keys: list[Any] = [time, Article.id]
    if order is ArticleOrder.IMPORTANCE:
        keys = [Article.importance, *keys]
    stmt = joined_articles(*documents, *keys)
    return paged(stmt, article_filter, order, limit, after=after)


# A page writes up to a hundred cursors; as ``encode_cursor`` writes them (its JSON for a
# kind and integers is this text), without building a list per cursor.
_CURSOR_TEXT = {
    ArticleOrder.NEWEST: '["newest",%d,%d]',
    ArticleOrder.IMPORTANCE: '["importance",%d,%d,%d]',
}
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def page_cursor(order: ArticleOrder, key: Sequence[int]) -> str:
    """The cursor after a ``document_page`` row, from its key columns (all integers)."""
    raw = (_CURSOR_TEXT[order] % tuple(key)).encode()
    return binascii.b2a_base64(raw, newline=False).rstrip(b"=").translate(_URL_SAFE).decode()


def cursor_params(order: ArticleOrder, cursor: str | None) -> dict[str, Any]:
    """The values ``paged(..., after=True)`` binds; none without a cursor."""
    if cursor is None:
        return {}
    return {f"after_{i}": value for i, value in enumerate(_cursor_values(order, cursor))}


def _cursor_values(order: ArticleOrder, cursor: str) -> list[Any]:
    """The sort key a cursor resumes after, checked; InvalidInput if it is not ours."""
    # Each part within its column's range: importance 1..10, a datetime's, an int32 key.
    moment, pk = IntPart(_MIN_MICROS, _MAX_MICROS), IntPart(1, INT32_MAX)
    shape = [IntPart(1, 10), moment, pk] if order is ArticleOrder.IMPORTANCE else [moment, pk]
    values: list[Any] = decode_cursor(cursor, order.value, shape)
    values[-2] = _from_micros(values[-2])
    return values


async def article_page(
    session: AsyncSession,
    article_filter: ArticleFilter,
    *,
    order: ArticleOrder = ArticleOrder.NEWEST,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
    with_body: bool = False,
    with_mentions: bool = True,
    with_stories: bool = False,
    scope: ColumnElement[bool] | None = None,
) -> Page[ArticleRecord]:
    """One page of articles, newest (or most important) first.

    Two statements: the articles joined to source and category, then their mentions
    (and their stories, with ``with_stories``).
    ``scope`` narrows the feed further (an entity's or a source's articles).
    """
    params = cursor_params(order, cursor)
    stmt = paged(
        select_articles(with_body=with_body), article_filter, order, limit, after=bool(params)
    )
    if scope is not None:
        stmt = stmt.where(scope)
    rows = await fetch_rows(session, stmt, params)
    items = [article_from_row(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = article_cursor(order, items[-1])
    if with_mentions and items:
        mentions = await mentions_by_article(session, (a.pk for a in items))
        for article in items:
            article.mentions = mentions[article.pk]
    if with_stories and items:
        stories = await story_refs_by_article(session, (a.pk for a in items))
        for article in items:
            article.story = stories.get(article.pk)
    return Page(items=items, next_cursor=next_cursor)


@functools.lru_cache(maxsize=256)
def _count_statement(article_filter: ArticleFilter) -> Select[Any]:
    return select(func.count()).select_from(Article).where(*filter_conditions(article_filter))


async def count_articles(
    source: AsyncSession | Reads,
    article_filter: ArticleFilter,
    *,
    scope: ColumnElement[bool] | None = None,
) -> int:
    stmt = _count_statement(article_filter)
    if scope is not None:
        stmt = stmt.where(scope)
    rows = await as_reads(source).rows(stmt)
    return int(rows[0][0])
