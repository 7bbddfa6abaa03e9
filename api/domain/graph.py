"""Batch reads and cursor helpers a graph-shaped API needs beyond the page-shaped ones.

A GraphQL query reaches articles and entities from many directions (a node id, a link
target, a mention), so it needs them by key, in batches, without the article page's body
and relations; and it needs a cursor for every edge, not just the page's last item.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.articles import article_from_row, select_articles
from api.domain.catalog import ENTITY_COLUMNS, entity_from_row
from api.domain.records import ArticleRecord, CategoryRecord, EntityRecord
from api.models import Article, Category, Entity


async def articles_by_public_id(
    session: AsyncSession, public_ids: Iterable[str]
) -> dict[str, ArticleRecord]:
    """Articles (without body or relations) by public id; unknown ids are absent."""
    keys = list(dict.fromkeys(public_ids))
    if not keys:
        return {}
    stmt = select_articles(with_body=False).where(Article.public_id.in_(keys))
    return {row[1]: article_from_row(row) for row in await session.execute(stmt)}


async def article_by_slug(session: AsyncSession, slug: str) -> ArticleRecord | None:
    """An article (without body or relations) by slug only, never by public id."""
    stmt = select_articles(with_body=False).where(Article.slug == slug)
    row = (await session.execute(stmt)).first()
    return None if row is None else article_from_row(row)


async def entities_by_slug(session: AsyncSession, slugs: Iterable[str]) -> dict[str, EntityRecord]:
    """Entities by slug (mention counts not included); unknown slugs are absent."""
    keys = list(dict.fromkeys(slugs))
    if not keys:
        return {}
    stmt = select(*ENTITY_COLUMNS).where(Entity.slug.in_(keys))
    return {row[0]: entity_from_row(row) for row in await session.execute(stmt)}


async def get_category(session: AsyncSession, slug: str) -> CategoryRecord | None:
    stmt = select(Category.slug, Category.name, Category.icon).where(Category.slug == slug)
    row = (await session.execute(stmt)).first()
    return None if row is None else CategoryRecord(slug=row[0], name=row[1], icon=row[2])
