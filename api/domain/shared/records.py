"""Plain, immutable results of the domain layer: what both API doors translate.

Dataclasses with slots rather than ORM objects: cheap to build on hot read paths, safe to
hand across the session boundary, and serialisable by orjson without conversion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    slug: str
    name: str
    homepage_url: str
    feed_url: str | None
    logo_url: str | None
    # Set on single reads: versioned ETags and If-Match need it.
    version: int | None = None


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    slug: str
    name: str
    icon: str


@dataclass(frozen=True, slots=True)
class EntityRecord:
    slug: str
    name: str
    type: str
    aliases: list[str]
    ticker: str | None
    wikidata_id: str | None
    homepage_url: str | None
    description: str | None
    mention_count: int | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class MentionRecord:
    """An entity as one article mentions it."""

    slug: str
    name: str
    type: str
    salience: float
    sentiment: str | None


@dataclass(frozen=True, slots=True)
class ArticleRefRecord:
    """Just enough of an article to link to it."""

    id: str
    slug: str
    title: str
    url: str
    published_at: dt.datetime
    source: SourceRecord


@dataclass(frozen=True, slots=True)
class LinkRecord:
    kind: str
    score: float | None
    article: ArticleRefRecord


@dataclass(frozen=True, slots=True)
class SharedEntityRecord:
    """An entity two related articles share, with its share of the item's score."""

    slug: str
    name: str
    type: str
    contribution: float


@dataclass(frozen=True, slots=True)
class RelatedRecord:
    """A related article: a stored link (``link_kind``) or shared entities, never both."""

    article: ArticleRefRecord
    score: float | None
    link_kind: str | None = None
    shared_entities: list[SharedEntityRecord] | None = None


@dataclass(frozen=True, slots=True)
class RelatedEntityRecord:
    """An entity co-occurring with another, and in how many articles."""

    entity: EntityRecord
    count: int


@dataclass(frozen=True, slots=True)
class TrendingRecord:
    entity: EntityRecord
    current: int
    previous: int
    growth: float


@dataclass(frozen=True, slots=True)
class TrendingPageRecord:
    window_start: dt.datetime  # exclusive
    window_end: dt.datetime  # inclusive
    items: list[TrendingRecord]


@dataclass(slots=True)
class ArticleRecord:
    """An article with its source and category; the body and relations when loaded.

    ``analysis``/``key_takeaways`` stay ``None`` on feed reads that did not ask for them,
    and ``mentions``/``links`` stay ``None`` until the caller loads them.
    """

    pk: int  # internal key: for batching follow-up queries, never serialised
    id: str
    slug: str
    title: str
    url: str
    author: str | None
    published_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    image_url: str | None
    image_credit: str | None
    sentiment: str
    sentiment_score: float | None
    importance: int
    summary: str
    language: str
    version: int
    source: SourceRecord
    category: CategoryRecord | None
    analysis: list[str] | None = None
    key_takeaways: list[str] | None = None
    mentions: list[MentionRecord] | None = None
    links: list[LinkRecord] | None = None
    # Its story as article documents write it ({id, size, first_published_at, sources})
    # when that holds other articles too; None otherwise or when not loaded.
    story: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StoryEntityRecord:
    """An entity the story's articles mention, weighted by how much of the story names it."""

    slug: str
    name: str
    type: str
    weight: float  # the sum of its salience over the story's articles


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story: its counts, times, headline, distinct sources and top entities.

    ``pk`` is the internal key (for batching), never serialised; ``id`` is the public one.
    """

    pk: int
    id: str
    size: int
    source_count: int
    first_published_at: dt.datetime
    last_published_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    headline: ArticleRefRecord | None
    sources: list[SourceRecord]  # by first coverage, then slug
    top_entities: list[StoryEntityRecord]  # heaviest first, then slug


@dataclass(frozen=True, slots=True)
class StoryMemberRecord:
    """An article of a story, with why it belongs (the stored membership explanation)."""

    article: ArticleRecord
    score: float
    joined_at: dt.datetime
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A keyset page: the items and the opaque cursor of the next page, if any."""

    items: list[T]
    next_cursor: str | None


@dataclass(slots=True)
class SearchHit:
    """A search result: the article, its blended score, a safe-HTML snippet (``<mark>``s).

    ``cursor`` resumes the search right after this hit (GraphQL edges carry one each).
    """

    article: ArticleRecord
    score: float
    snippet: str
    cursor: str
