"""Writing single articles: create, replace (PUT), change (PATCH), delete.

All of them go through the ingest upsert, so one code path validates references, slugs
and links. Updates and deletes lock the row and check the version the client last saw
(optimistic concurrency); a delete leaves a tombstone so later reads answer 410 Gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, bindparam, case, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import Reads, as_reads
from api.domain.articles.inputs import ArticleCreate, ArticleUpdate
from api.domain.articles.references import IngestItemError
from api.domain.articles.upsert import Status, upsert_articles
from api.domain.changes.commit import bump_articles, finish_write
from api.domain.changes.log import ChangeEntry
from api.domain.stories.writes import forget_articles
from api.domain.webhooks import outbox as webhook_outbox
from api.errors import Conflict, Gone, InvalidInput, InvalidParam, NotFound, PreconditionFailed
from api.models import Article, ArticleLink, ArticleTombstone, Category, Source

# Columns copied from the stored row when a PATCH leaves them out.
_KEPT = (
    "title",
    "author",
    "published_at",
    "image_url",
    "image_credit",
    "sentiment",
    "sentiment_score",
    "importance",
    "summary",
    "analysis",
    "key_takeaways",
    "language",
)


@dataclass(frozen=True, slots=True)
class WriteResult:
    public_id: str
    version: int
    status: Status


async def create_article(session: AsyncSession, item: ArticleCreate) -> WriteResult:
    taken = await session.scalar(select(Article.public_id).where(Article.url == item.url))
    if taken is not None:
        raise Conflict(detail=f"article {taken} already has this URL; update it instead")
    return await _upsert(session, item)


async def change_article(
    session: AsyncSession,
    key: str,
    change: ArticleCreate | ArticleUpdate,
    *,
    expected_version: int | None,
) -> WriteResult:
    """Apply a PUT (an ``ArticleCreate``: every field) or a PATCH (the fields present)."""
    article, source_slug, category_slug = await _locked(session, key, expected_version)
    given = set(change.model_fields_set)
    if isinstance(change, ArticleCreate):
        given = set(ArticleCreate.model_fields)  # PUT: what is left out goes to its default
    old_url = article.url
    new_url = change.url if change.url is not None else old_url
    if new_url != old_url:
        taken = await session.scalar(select(Article.public_id).where(Article.url == new_url))
        if taken is not None:
            raise Conflict(detail=f"article {taken} already has URL {new_url}")
        article.url = new_url  # through the ORM, so the upsert below finds it by the new URL
        await session.flush()
    values: dict[str, Any] = {name: getattr(article, name) for name in _KEPT}
    values |= {"url": new_url, "slug": None, "source": source_slug, "category": category_slug}
    values |= {"mentions": [], "links": []}
    values |= {name: getattr(change, name) for name in given if name != "url"}
    item = ArticleCreate.model_construct(_fields_set=given - {"url"}, **values)
    result = await _upsert(session, item)
    if result.status == "unchanged" and new_url != old_url:
        article.version += 1  # the upsert compares everything but the URL it matched on
        entry = ChangeEntry("article", "updated", article.public_id, article.version)
        await finish_write(session, [entry])
        return WriteResult(article.public_id, article.version, "updated")
    return result


async def delete_article(session: AsyncSession, key: str, *, expected_version: int | None) -> None:
    article, _, _ = await _locked(session, key, expected_version)
    # Articles linking here lose that link.
    linking = select(ArticleLink.from_article_id).where(ArticleLink.to_article_id == article.id)
    entries = await bump_articles(session, linking)
    session.add(ArticleTombstone(public_id=article.public_id, slug=article.slug, url=article.url))
    await webhook_outbox.remember_deleted(session, [article.id])
    await forget_articles(session, [article.id])
    await session.execute(delete(Article).where(Article.id == article.id))
    entries.append(ChangeEntry("article", "deleted", article.public_id, article.version + 1))
    await finish_write(session, entries)


_TOMBSTONE_KEY = bindparam("key", type_=String)
# Built once: driver reads compile a statement once per statement object.
_TOMBSTONE = (
    select(ArticleTombstone.public_id)
    .where(
        or_(ArticleTombstone.public_id == _TOMBSTONE_KEY, ArticleTombstone.slug == _TOMBSTONE_KEY)
    )
    .limit(1)
)


async def tombstone_for(source: AsyncSession | Reads, key: str) -> str | None:
    """The public id of a deleted article with this id or slug, if there was one."""
    rows = await as_reads(source).rows(_TOMBSTONE, {"key": key})
    return str(rows[0][0]) if rows else None


async def raise_if_deleted(source: AsyncSession | Reads, key: str) -> None:
    """Gone (410) when ``key`` (a public id or slug) named an article that was deleted."""
    if await tombstone_for(source, key) is not None:
        raise Gone(detail=f"article {key!r} was deleted")


async def _locked(
    session: AsyncSession, key: str, expected_version: int | None
) -> tuple[Article, str, str | None]:
    stmt = (
        select(Article, Source.slug, Category.slug)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
        .where(or_(Article.public_id == key, Article.slug == key))
        .order_by(case((Article.public_id == key, 0), else_=1))
        .limit(1)
        # Concurrent writers queue here; each then re-reads the version the last one left.
        .with_for_update(of=Article)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        await raise_if_deleted(session, key)
        raise NotFound(detail=f"no article with id or slug {key!r}")
    article, source_slug, category_slug = row
    if expected_version is not None and article.version != expected_version:
        raise PreconditionFailed(
            detail=f"article is at version {article.version}, not {expected_version}; "
            "fetch it again and retry"
        )
    return article, source_slug, category_slug


async def _upsert(session: AsyncSession, item: ArticleCreate) -> WriteResult:
    try:
        (outcome,) = await upsert_articles(session, [item])
    except IngestItemError as exc:
        raise InvalidInput(
            detail=f"{exc.field}: {exc.message}",
            invalid_params=[InvalidParam(exc.field, exc.message)],
        ) from exc
    except IntegrityError as exc:
        raise lost_race() from exc
    return WriteResult(outcome.public_id, outcome.version, outcome.status)


def lost_race() -> Conflict:
    # Two writers created the same URL, slug or reference at once; the other one committed.
    return Conflict(detail="a concurrent write to the same article won; fetch it and retry")
