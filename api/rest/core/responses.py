"""Pydantic models of the REST responses: the source of the OpenAPI contract.

Handlers build plain dicts (cheap, serialised by orjson); these models describe them,
and the contract tests hold every response to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models.enums import EntityType, LinkKind, Sentiment

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(Strict):
    slug: str = Field(pattern=SLUG_PATTERN, max_length=100, examples=["crypto-briefing"])
    name: str = Field(max_length=200, examples=["Crypto Briefing"])
    homepage_url: str = Field(max_length=2048, examples=["https://cryptobriefing.com"])
    feed_url: str | None = Field(max_length=2048)
    logo_url: str | None = Field(max_length=2048)


class SourceRef(Strict):
    slug: str = Field(pattern=SLUG_PATTERN, max_length=100)
    name: str = Field(max_length=200)


class Category(Strict):
    slug: str = Field(pattern=SLUG_PATTERN, max_length=100, examples=["ai"])
    name: str = Field(max_length=200, examples=["AI"])
    icon: str = Field(max_length=16, examples=["🧠"])


class MentionedEntity(Strict):
    slug: str = Field(max_length=120)
    name: str = Field(max_length=200)
    type: EntityType
    salience: float = Field(ge=0, le=1, description="How central the entity is to the story.")
    sentiment: Sentiment | None = Field(description="Sentiment toward this entity, if known.")


class EntityGroup(Strict):
    type: EntityType
    entities: list[MentionedEntity]


class ArticleRef(Strict):
    id: str = Field(max_length=36)
    slug: str = Field(max_length=200)
    title: str = Field(max_length=500)
    url: str = Field(max_length=2048)
    published_at: dt.datetime
    source: SourceRef


class RelatedLink(Strict):
    kind: LinkKind
    score: float | None = Field(ge=0, le=1)
    article: ArticleRef


class ArticleStory(Strict):
    """The story an article belongs to, when other articles tell it too."""

    id: str = Field(max_length=36, description="The story's stable public id.")
    size: int = Field(ge=2, description="How many articles tell it.")
    first_published_at: dt.datetime
    sources: list[SourceRef] = Field(description="Distinct sources, by first coverage.")


class FeedArticle(Strict):
    """A feed item. With ``fields=`` only ``id`` and the requested fields are present."""

    id: str = Field(max_length=36, description="Stable public id (UUIDv7).")
    slug: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2048, description="Canonical URL.")
    source: Source | None = None
    author: str | None = Field(default=None, max_length=200)
    published_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    image_url: str | None = Field(default=None, max_length=2048)
    image_credit: str | None = Field(default=None, max_length=300)
    category: Category | None = None
    sentiment: Sentiment | None = None
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)
    importance: int | None = Field(default=None, ge=1, le=10)
    summary: str | None = None
    language: str | None = Field(default=None, max_length=16)
    version: int | None = Field(default=None, ge=1)
    entities: list[MentionedEntity] | None = None
    analysis: list[str] | None = None
    key_takeaways: list[str] | None = None
    story: ArticleStory | None = Field(default=None, description="Null for a story of one.")


class Article(Strict):
    """Everything an article page shows, in one response."""

    id: str = Field(max_length=36, description="Stable public id (UUIDv7).")
    slug: str = Field(max_length=200)
    title: str = Field(max_length=500)
    url: str = Field(max_length=2048, description="Canonical URL: the 'Read original' link.")
    source: Source
    author: str | None = Field(max_length=200)
    published_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    image_url: str | None = Field(max_length=2048)
    image_credit: str | None = Field(max_length=300)
    category: Category | None
    sentiment: Sentiment
    sentiment_score: float | None = Field(ge=-1, le=1)
    importance: int = Field(ge=1, le=10)
    summary: str
    analysis: list[str] = Field(description="Analysis paragraphs, in order.")
    key_takeaways: list[str] = Field(description="Key takeaways, in order.")
    language: str = Field(max_length=16)
    version: int = Field(ge=1)
    entities: list[MentionedEntity] = Field(description="Most salient first.")
    entity_groups: list[EntityGroup] = Field(description="Entities grouped by type.")
    related_links: list[RelatedLink] = Field(description="Stored links, strongest first.")
    story: ArticleStory | None = Field(description="Null when no other article tells it.")


class FeedPage(Strict):
    items: list[FeedArticle]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class SearchHit(Strict):
    article: FeedArticle
    score: float = Field(ge=0, description="Relevance blended with recency; higher is better.")
    snippet: str = Field(
        description="Safe HTML, escaped, with matches in `<mark>`: a passage of the summary "
        "when it holds a match, else of the analysis when it does, else the summary's start "
        "(the match is in the title, takeaways or entity names)."
    )


class SearchPage(Strict):
    items: list[SearchHit] = Field(description="Best first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class SharedEntity(Strict):
    slug: str
    name: str
    type: EntityType
    contribution: float


class RelatedExplanation(Strict):
    kind: Literal["stored_link", "shared_entities"]
    link_kind: LinkKind | None = Field(description="For stored links: the link's kind.")
    shared_entities: list[SharedEntity] = Field(description="Entities both articles mention.")


class RelatedItem(Strict):
    article: ArticleRef
    score: float | None
    explanation: RelatedExplanation


class RelatedPage(Strict):
    article_id: str
    items: list[RelatedItem]


class Entity(Strict):
    slug: str = Field(max_length=120, examples=["anthropic"])
    name: str = Field(max_length=200, examples=["Anthropic"])
    type: EntityType
    aliases: list[str]
    ticker: str | None = Field(max_length=20)
    wikidata_id: str | None = Field(max_length=20)
    homepage_url: str | None = Field(max_length=2048)
    description: str | None
    mention_count: int | None = Field(default=None, ge=0, description="Only on /entities/{slug}.")


class EntityPage(Strict):
    items: list[Entity]
    next_cursor: str | None


class RelatedEntity(Strict):
    entity: Entity
    count: int = Field(ge=1, description="Articles mentioning both entities.")


class RelatedEntityList(Strict):
    entity: str = Field(description="The slug asked about.")
    items: list[RelatedEntity] = Field(description="Most shared articles first, then by slug.")


class TrendingEntity(Strict):
    entity: Entity
    current_count: int = Field(ge=1, description="Articles mentioning it in the window.")
    previous_count: int = Field(ge=0, description="In the window of equal length before.")
    growth: float = Field(description="(current - previous) / sqrt(previous + 1).")


class TrendingPage(Strict):
    window: Literal["24h", "7d"]
    window_start: dt.datetime = Field(description="Exclusive.")
    window_end: dt.datetime = Field(description="Inclusive: `until`, or the newest article's time.")
    items: list[TrendingEntity] = Field(description="Fastest growing first.")


class SourceList(Strict):
    items: list[Source]


class CategoryList(Strict):
    items: list[Category]


class Health(Strict):
    status: Literal["ok"]


class Readiness(Strict):
    status: Literal["ready", "unavailable"]
    database: bool
    migrations_at_head: bool
    # True once the worker has been told to stop (SIGTERM): it finishes, takes no new work.
    draining: bool = False


class InvalidParam(Strict):
    name: str
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["about:blank"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = Field(
        default=None, description="For validation errors: each offending parameter."
    )
