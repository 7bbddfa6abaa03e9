"""Feed filters and orderings: defined once here, so both doors mean the same thing.

``ArticleFilterRules`` holds every input rule of the feed filter (slug shape, entity count,
importance range, language tag, aware timestamps). REST's query parameters and GraphQL's
filter input both validate through it, then query with the ``ArticleFilter`` it yields.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import ColumnElement, ScalarSelect, exists, select

from api.domain.shared.inputs import SLUG_PATTERN, Language
from api.models import Article, Category, Entity, Mention, Sentiment, Source

MAX_SLUG_LENGTH = 120
MAX_FILTER_ENTITIES = 20


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


def _rfc3339_text(value: object) -> object:
    # pydantic would also read "0.5" as a Unix time; the contract promises RFC 3339 only.
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", value):
        raise ValueError("expected an RFC 3339 date-time with offset, e.g. 2026-11-01T00:00:00Z")
    return value


def _in_utc_range(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


FilterSlug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=MAX_SLUG_LENGTH)]
FilterSlugs = Annotated[list[FilterSlug], Field(max_length=MAX_FILTER_ENTITIES)]
ImportanceBound = Annotated[int, Field(ge=1, le=10)]
Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_utc_range)]


class ArticleFilterRules(BaseModel):
    """The feed filter as a client sends it; ``to_filter`` gives the validated query filter.

    Languages follow the article input's own rule, so any language an article can carry
    can be filtered on.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: FilterSlug | None = None
    sentiment: Sentiment | None = None
    importance_min: ImportanceBound | None = None
    importance_max: ImportanceBound | None = None
    source: FilterSlug | None = None
    entities: FilterSlugs = Field(default_factory=list)
    entity_mode: EntityMode = EntityMode.ALL
    exclude_entities: FilterSlugs = Field(default_factory=list)
    published_after: Moment | None = None
    published_before: Moment | None = None
    language: Language | None = None

    def to_filter(self) -> ArticleFilter:
        return ArticleFilter(
            category=self.category,
            sentiment=self.sentiment,
            importance_min=self.importance_min,
            importance_max=self.importance_max,
            source=self.source,
            entities=tuple(self.entities),
            entity_mode=self.entity_mode,
            exclude_entities=tuple(self.exclude_entities),
            published_after=self.published_after,
            published_before=self.published_before,
            language=self.language,
        )


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
