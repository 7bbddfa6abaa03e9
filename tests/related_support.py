"""Small hand-built corpora for the related-articles and entity-graph tests."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import func, select

from api.db.database import Database
from api.domain.articles.inputs import ArticleCreate
from api.domain.articles.upsert import upsert_articles
from api.models import Article, Entity

BASE = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
SOURCE = {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"}
TYPES = {"rare": "company", "common": "topic", "ceo": "person", "fading": "topic"}


def url(name: str) -> str:
    return f"https://news.example/{name}"


def story(
    name: str,
    mentions: dict[str, float],
    *,
    hours: float = 0,
    links: list[tuple[str, str, float | None]] | None = None,
) -> ArticleCreate:
    """An article ``hours`` after BASE mentioning ``{entity slug: salience}``."""
    data: dict[str, Any] = {
        "url": url(name),
        "title": f"Story {name}",
        "source": SOURCE,
        "published_at": (BASE + dt.timedelta(hours=hours)).isoformat(),
        "importance": 5,
        "summary": f"About {name}.",
        "mentions": [
            {
                "entity": {"slug": slug, "name": slug.title(), "type": TYPES.get(slug, "company")},
                "salience": salience,
            }
            for slug, salience in mentions.items()
        ],
        "links": [
            {"url": url(target), "kind": kind, "score": score}
            for target, kind, score in links or []
        ],
    }
    return ArticleCreate.model_validate(data)


async def ingest(database: Database, *items: ArticleCreate) -> None:
    async with database.session(write=True) as session:
        await upsert_articles(session, items)


async def pk_of(database: Database, name: str) -> int:
    async with database.session() as session:
        return (
            await session.execute(select(Article.id).where(Article.url == url(name)))
        ).scalar_one()


async def expected_idf(database: Database, slug: str) -> float:
    """idf as documented: ln(1 + max(article id) / number of articles mentioning it)."""
    async with database.session() as session:
        top = (await session.execute(select(func.max(Article.id)))).scalar_one()
        count = (
            await session.execute(select(Entity.article_count).where(Entity.slug == slug))
        ).scalar_one()
    return math.log(1 + top / count)
