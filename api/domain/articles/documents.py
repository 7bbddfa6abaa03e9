"""One article written as JSON by the database: body, mentions and stored links included.

The article page took three statements (the article, its mentions, its links) and built
records, then dicts, then JSON. Here one statement returns the REST article's JSON (see
``api.domain.shared.json_sql``) with the version and time its ETag and Last-Modified need; the
REST view adds ``entity_groups``, derived from ``entities``. A test holds it to the page
built from ``articles.get_article``'s records, on every article of an awkward corpus.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import Select, String, bindparam, case, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Reads, as_reads
from api.domain.shared import json_sql
from api.domain.stories.json import article_story
from api.models import Article, Category, Source


@dataclass(frozen=True, slots=True)
class ArticleDocument:
    document: bytes
    updated_at: dt.datetime
    version: int


def _fields(dialect: str) -> dict[str, str]:
    def time(name: str) -> str:
        return json_sql.time(dialect, f"articles.{name}")

    plain = ("slug", "title", "url", "author", "image_url", "image_credit", "sentiment")
    return {
        "id": "articles.public_id",
        **{name: f"articles.{name}" for name in plain},
        "source": json_sql.source(dialect),
        "published_at": time("published_at"),
        "created_at": time("created_at"),
        "updated_at": time("updated_at"),
        "category": json_sql.category(dialect),
        "sentiment_score": json_sql.number(dialect, "articles.sentiment_score"),
        "importance": "articles.importance",
        "summary": "articles.summary",
        "analysis": json_sql.stored(dialect, "articles.analysis"),
        "key_takeaways": json_sql.stored(dialect, "articles.key_takeaways"),
        "language": "articles.language",
        "version": "articles.version",
        "entities": json_sql.mentions(dialect),
        "related_links": json_sql.links(dialect),
        "story": article_story(dialect),
    }


_KEY = bindparam("key", type_=String)


@functools.cache
def _statement(dialect: str) -> Select[str, dt.datetime, int]:
    document = json_sql.as_text(dialect, json_sql.obj(dialect, _fields(dialect)))
    return (
        select(literal_column(document, String), Article.updated_at, Article.version)
        .select_from(Article)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
        .where(or_(Article.public_id == _KEY, Article.slug == _KEY))
        # A slug could in theory equal another article's id; the id wins.
        .order_by(case((Article.public_id == _KEY, 0), else_=1))
        .limit(1)
    )


async def article_document(source: AsyncSession | Reads, key: str) -> ArticleDocument | None:
    """The article with this public id or slug, as JSON; None if there is none."""
    reads = as_reads(source)
    rows = await reads.rows(_statement(reads.dialect.name), {"key": key})
    if not rows:
        return None
    document, updated_at, version = rows[0]
    return ArticleDocument(document=document.encode(), updated_at=updated_at, version=version)
