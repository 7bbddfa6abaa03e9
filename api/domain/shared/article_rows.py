"""Reading articles: column selects for the hot paths, batch loaders for relations."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Executable, Select, String, bindparam, case, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.db.database import fetch_first, fetch_rows
from api.domain.shared.records import (
    ArticleRecord,
    ArticleRefRecord,
    CategoryRecord,
    LinkRecord,
    MentionRecord,
    SourceRecord,
)
from api.models import Article, ArticleLink, Category, Entity, Mention, Source

T = TypeVar("T")

SOURCE_COLUMNS = (Source.slug, Source.name, Source.homepage_url, Source.feed_url, Source.logo_url)
CATEGORY_COLUMNS = (Category.slug, Category.name, Category.icon)
CARD_COLUMNS = (
    Article.id,
    Article.public_id,
    Article.slug,
    Article.title,
    Article.url,
    Article.author,
    Article.published_at,
    Article.created_at,
    Article.updated_at,
    Article.image_url,
    Article.image_credit,
    # Enums are stored as their values: read as plain strings, no Enum round trip.
    type_coerce(Article.sentiment, String),
    Article.sentiment_score,
    Article.importance,
    Article.summary,
    Article.language,
    Article.version,
)
BODY_COLUMNS = (Article.analysis, Article.key_takeaways)
_CARD = len(CARD_COLUMNS)
_SOURCE_END = _CARD + len(SOURCE_COLUMNS)
_CATEGORY_END = _SOURCE_END + len(CATEGORY_COLUMNS)


def _select_articles(with_body: bool) -> Select[Any]:
    columns: tuple[Any, ...] = (*CARD_COLUMNS, *SOURCE_COLUMNS, *CATEGORY_COLUMNS)
    if with_body:
        columns = (*columns, *BODY_COLUMNS)
    stmt: Select[Any] = (
        select(*columns)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
    )
    return stmt


# Statements are immutable: built once, shared. Building a 25-column select per request
# cost more than running it; fixed-shape reads below take their values as bound
# parameters, so each is one cached compile.
_SELECT_ARTICLES = {False: _select_articles(False), True: _select_articles(True)}


def select_articles(*, with_body: bool) -> Select[Any]:
    """Articles joined to their source and category: one statement, no ORM identity map."""
    return _SELECT_ARTICLES[with_body]


def source_from_row(row: Sequence[Any], at: int) -> SourceRecord:
    return SourceRecord(
        slug=row[at],
        name=row[at + 1],
        homepage_url=row[at + 2],
        feed_url=row[at + 3],
        logo_url=row[at + 4],
    )


def article_from_row(row: Sequence[Any]) -> ArticleRecord:
    """Build a record from a ``select_articles`` row (positions follow the column tuples)."""
    category = None
    if row[_SOURCE_END] is not None:
        category = CategoryRecord(
            slug=row[_SOURCE_END], name=row[_SOURCE_END + 1], icon=row[_SOURCE_END + 2]
        )
    with_body = len(row) > _CATEGORY_END
    return ArticleRecord(
        pk=row[0],
        id=row[1],
        slug=row[2],
        title=row[3],
        url=row[4],
        author=row[5],
        published_at=row[6],
        created_at=row[7],
        updated_at=row[8],
        image_url=row[9],
        image_credit=row[10],
        sentiment=row[11],
        sentiment_score=row[12],
        importance=row[13],
        summary=row[14],
        language=row[15],
        version=row[16],
        source=source_from_row(row, _CARD),
        category=category,
        analysis=list(row[_CATEGORY_END]) if with_body else None,
        key_takeaways=list(row[_CATEGORY_END + 1]) if with_body else None,
    )


_KEY = bindparam("key", type_=String)
_ARTICLE_BY_KEY = (
    _SELECT_ARTICLES[True]
    .where(or_(Article.public_id == _KEY, Article.slug == _KEY))
    # A slug could in theory equal another article's id; the id wins.
    .order_by(case((Article.public_id == _KEY, 0), else_=1))
    .limit(1)
)


async def get_article(session: AsyncSession, key: str) -> ArticleRecord | None:
    """An article by public id or slug, with body, mentions and stored links (3 statements)."""
    row = await fetch_first(session, _ARTICLE_BY_KEY, {"key": key})
    if row is None:
        return None
    article = article_from_row(row)
    article.mentions = (await mentions_by_article(session, [article.pk]))[article.pk]
    article.links = (await links_by_article(session, [article.pk]))[article.pk]
    return article


async def find_article(session: AsyncSession, key: str) -> tuple[int, str] | None:
    """The internal key and public id of the article with this public id or slug."""
    stmt = (
        select(Article.id, Article.public_id)
        .where(or_(Article.public_id == key, Article.slug == key))
        .order_by(case((Article.public_id == key, 0), else_=1))
        .limit(1)
    )
    row = await fetch_first(session, stmt)
    return None if row is None else (row[0], row[1])


_MENTIONS = (
    select(
        Mention.article_id,
        Entity.slug,
        Entity.name,
        type_coerce(Entity.type, String),
        Mention.salience,
        type_coerce(Mention.sentiment, String),
    )
    .join(Entity, Entity.id == Mention.entity_id)
    .where(Mention.article_id.in_(bindparam("keys", expanding=True)))
    .order_by(Mention.article_id, Mention.salience.desc(), Entity.slug)
)


async def mentions_by_article(
    session: AsyncSession, article_pks: Iterable[int]
) -> dict[int, list[MentionRecord]]:
    """Entities per article, most salient first; every requested key is present."""
    return await _grouped(session, _MENTIONS, "keys", article_pks, _mention_from_row)


def _mention_from_row(row: Sequence[Any]) -> MentionRecord:
    _article_pk, slug, name, type_, salience, sentiment = row
    return MentionRecord(slug=slug, name=name, type=type_, salience=salience, sentiment=sentiment)


async def _grouped(
    session: AsyncSession,
    statement: Executable,
    param: str,
    article_pks: Iterable[int],
    record: Callable[[Sequence[Any]], T],
) -> dict[int, list[T]]:
    """Rows keyed by their first column (an article pk), as records, in statement order;
    every requested key is present, and no statement runs for none."""
    keys = list(dict.fromkeys(article_pks))
    result: dict[int, list[T]] = {pk: [] for pk in keys}
    if keys:
        for row in await fetch_rows(session, statement, {param: keys}):
            result[row[0]].append(record(row))
    return result


def ref_columns(article: Any) -> tuple[Any, ...]:
    """A linked or related article's headline columns; ``article_ref_from_row`` reads them."""
    return (
        article.public_id,
        article.slug,
        article.title,
        article.url,
        article.published_at,
        *SOURCE_COLUMNS,
    )


def article_ref_from_row(row: Sequence[Any], at: int) -> ArticleRefRecord:
    public_id, slug, title, url, published_at = row[at : at + 5]
    return ArticleRefRecord(public_id, slug, title, url, published_at, source_from_row(row, at + 5))


@functools.cache
def links_statement(published_after: bool) -> Select[Any]:
    """Outgoing links of the articles in ``:seeds``: from, kind, score, target pk, target ref.

    Strongest first, unscored after scored, newest target first; with ``published_after``
    only targets published since ``:published_after`` (related articles use that).
    """
    target = aliased(Article, name="target")
    stmt = (
        select(
            ArticleLink.from_article_id,
            type_coerce(ArticleLink.kind, String),
            ArticleLink.score,
            target.id,
            *ref_columns(target),
        )
        .join(target, target.id == ArticleLink.to_article_id)
        .join(Source, Source.id == target.source_id)
        .where(ArticleLink.from_article_id.in_(bindparam("seeds", expanding=True)))
        .order_by(
            ArticleLink.from_article_id,
            ArticleLink.score.is_(None),
            ArticleLink.score.desc(),
            target.published_at.desc(),
            target.id.desc(),
        )
    )
    if published_after:
        stmt = stmt.where(target.published_at >= bindparam("published_after"))
    return stmt


async def links_by_article(
    session: AsyncSession, article_pks: Iterable[int]
) -> dict[int, list[LinkRecord]]:
    """Stored outgoing links per article with their target's headline and source."""
    return await _grouped(session, links_statement(False), "seeds", article_pks, _link_from_row)


def _link_from_row(row: Sequence[Any]) -> LinkRecord:
    return LinkRecord(kind=row[1], score=row[2], article=article_ref_from_row(row, 4))


_BODIES = select(Article.id, *BODY_COLUMNS).where(Article.id.in_(bindparam("keys", expanding=True)))


async def bodies_by_article(
    session: AsyncSession, article_pks: Iterable[int]
) -> dict[int, tuple[list[str], list[str]]]:
    """Analysis paragraphs and key takeaways, for reads that skipped them."""
    keys = list(dict.fromkeys(article_pks))
    if not keys:
        return {}
    rows = await fetch_rows(session, _BODIES, {"keys": keys})
    return {pk: (list(a), list(t)) for pk, a, t in rows}
