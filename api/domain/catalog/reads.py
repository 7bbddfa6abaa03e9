"""Sources, categories and entities: the reference data articles point at."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_first, fetch_rows
from api.domain.shared.article_rows import CATEGORY_COLUMNS, SOURCE_COLUMNS, source_from_row
from api.domain.shared.cursors import TextPart, decode_cursor, encode_cursor
from api.domain.shared.records import CategoryRecord, EntityRecord, Page, SourceRecord
from api.models import Article, Category, Entity, EntityType, Mention, Source

ENTITY_COLUMNS = (
    Entity.slug,
    Entity.name,
    Entity.type,
    Entity.aliases,
    Entity.ticker,
    Entity.wikidata_id,
    Entity.homepage_url,
    Entity.description,
)


def entity_from_row(row: Any, mention_count: int | None = None) -> EntityRecord:
    slug, name, type_, aliases, ticker, wikidata_id, homepage_url, description = row[:8]
    return EntityRecord(
        slug=slug,
        name=name,
        type=type_.value,
        aliases=list(aliases or []),
        ticker=ticker,
        wikidata_id=wikidata_id,
        homepage_url=homepage_url,
        description=description,
        mention_count=mention_count,
    )


async def list_sources(session: AsyncSession) -> list[SourceRecord]:
    rows = await fetch_rows(session, select(*SOURCE_COLUMNS).order_by(Source.name, Source.id))
    return [source_from_row(row, 0) for row in rows]


async def get_source(session: AsyncSession, slug: str) -> SourceRecord | None:
    stmt = select(*SOURCE_COLUMNS, Source.version).where(Source.slug == slug)
    row = await fetch_first(session, stmt)
    return None if row is None else replace(source_from_row(row, 0), version=row[-1])


async def list_categories(session: AsyncSession) -> list[CategoryRecord]:
    rows = await fetch_rows(session, select(*CATEGORY_COLUMNS).order_by(Category.name, Category.id))
    return [CategoryRecord(slug=slug, name=name, icon=icon) for slug, name, icon in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_entities(
    session: AsyncSession,
    *,
    entity_type: EntityType | None = None,
    name_prefix: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page[EntityRecord]:
    """Entities by name (case-insensitive prefix), keyset-paginated on (name, slug)."""
    # Code-point order on both backends: PostgreSQL's default collation is locale-aware,
    # SQLite's is binary, and the same request must list entities the same way on either.
    postgres = session.get_bind().dialect.name == "postgresql"
    sort_name = Entity.name.collate("C") if postgres else Entity.name
    stmt = select(*ENTITY_COLUMNS)
    if entity_type is not None:
        stmt = stmt.where(Entity.type == entity_type)
    if name_prefix:
        pattern = _escape_like(name_prefix.lower()) + "%"
        stmt = stmt.where(func.lower(Entity.name).like(pattern, escape="\\"))
    if cursor is not None:
        name, slug = decode_cursor(cursor, "entities", [TextPart(200), TextPart(120)])
        stmt = stmt.where(tuple_(sort_name, Entity.slug) > tuple_(name, slug))
    rows = await fetch_rows(session, stmt.order_by(sort_name, Entity.slug).limit(limit + 1))
    items = [entity_from_row(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = entity_cursor(items[-1])
    return Page(items=items, next_cursor=next_cursor)


def entity_cursor(entity: EntityRecord) -> str:
    """The cursor that resumes ``list_entities`` right after ``entity``."""
    return encode_cursor("entities", [entity.name, entity.slug])


async def get_entity(session: AsyncSession, slug: str) -> EntityRecord | None:
    mention_count = select(func.count()).where(Mention.entity_id == Entity.id).scalar_subquery()
    stmt = select(*ENTITY_COLUMNS, mention_count, Entity.version).where(Entity.slug == slug)
    row = await fetch_first(session, stmt)
    if row is None:
        return None
    return replace(entity_from_row(row, mention_count=row[8]), version=row[9])


async def mention_counts(session: AsyncSession, slugs: Iterable[str]) -> dict[str, int]:
    keys = list(dict.fromkeys(slugs))
    counts = dict.fromkeys(keys, 0)
    if keys:
        stmt = (
            select(Entity.slug, func.count(Mention.article_id))
            .join(Mention, Mention.entity_id == Entity.id)
            .where(Entity.slug.in_(keys))
            .group_by(Entity.slug)
        )
        counts.update({slug: int(n) for slug, n in await fetch_rows(session, stmt)})
    return counts


async def entity_scope(session: AsyncSession, slug: str) -> ColumnElement[bool] | None:
    """A feed restriction to the articles mentioning an entity, or None if it is unknown."""
    pk = (await session.execute(select(Entity.id).where(Entity.slug == slug))).scalar()
    if pk is None:
        return None
    return exists().where(Mention.article_id == Article.id, Mention.entity_id == pk)


async def source_scope(session: AsyncSession, slug: str) -> ColumnElement[bool] | None:
    pk = (await session.execute(select(Source.id).where(Source.slug == slug))).scalar()
    return None if pk is None else Article.source_id == pk


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
