"""Feed filters and orderings: defined once here, so both doors mean the same thing."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, ScalarSelect, exists, select

from api.models import Article, Category, Entity, Mention, Source


class ArticleOrder(enum.StrEnum):
    NEWEST = "newest"
    IMPORTANCE = "importance"


class EntityMode(enum.StrEnum):
    ALL = "all"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    category: str | None = None
    sentiment: str | None = None
    importance_min: int | None = None
    importance_max: int | None = None
    source: str | None = None
    entities: tuple[str, ...] = field(default_factory=tuple)
    entity_mode: EntityMode = EntityMode.ALL
    exclude_entities: tuple[str, ...] = field(default_factory=tuple)
    published_after: dt.datetime | None = None
    published_before: dt.datetime | None = None
    language: str | None = None


def _mentions(slug: str) -> ColumnElement[bool]:
    entity_id = select(Entity.id).where(Entity.slug == slug).scalar_subquery()
    return exists().where(Mention.article_id == Article.id, Mention.entity_id == entity_id)


def _mentions_any(slugs: tuple[str, ...]) -> ColumnElement[bool]:
    entity_ids = select(Entity.id).where(Entity.slug.in_(slugs))
    return exists().where(Mention.article_id == Article.id, Mention.entity_id.in_(entity_ids))


def category_id_of(slug: str) -> ScalarSelect[int]:
    """The category's id by slug, as a subquery: slugs resolve without a round trip."""
    return select(Category.id).where(Category.slug == slug).scalar_subquery()


def source_id_of(slug: str) -> ScalarSelect[int]:
    """The source's id by slug, as a subquery."""
    return select(Source.id).where(Source.slug == slug).scalar_subquery()


def filter_conditions(f: ArticleFilter) -> list[ColumnElement[bool]]:
    """WHERE clauses for a filter; slugs resolve through subqueries, not extra round trips."""
    conditions: list[ColumnElement[bool]] = []
    if f.category is not None:
        conditions.append(Article.category_id == category_id_of(f.category))
    if f.source is not None:
        conditions.append(Article.source_id == source_id_of(f.source))
    if f.sentiment is not None:
        conditions.append(Article.sentiment == f.sentiment)
    if f.importance_min is not None:
        conditions.append(Article.importance >= f.importance_min)
    if f.importance_max is not None:
        conditions.append(Article.importance <= f.importance_max)
    if f.published_after is not None:
        conditions.append(Article.published_at >= f.published_after)
    if f.published_before is not None:
        conditions.append(Article.published_at < f.published_before)
    if f.language is not None:
        conditions.append(Article.language == f.language)
    if f.entities:
        if f.entity_mode is EntityMode.ANY:
            conditions.append(_mentions_any(f.entities))
        else:
            conditions.extend(_mentions(slug) for slug in dict.fromkeys(f.entities))
    if f.exclude_entities:
        conditions.append(~_mentions_any(f.exclude_entities))
    return conditions
