"""Articles by key, in batches, as a graph-shaped API needs them.

A GraphQL query reaches articles from many directions (a node id, a link target), so it
needs them by key, without the article page's body and relations.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.shared.article_rows import article_from_row, select_articles
from api.domain.shared.records import ArticleRecord
from api.models import Article


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
