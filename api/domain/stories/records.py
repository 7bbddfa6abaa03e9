"""What the stories' read side returns: plain records both doors translate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from api.domain.shared.records import ArticleRecord, ArticleRefRecord, SourceRecord


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
class StoryPageRecord:
    items: list[StoryRecord]
    next_cursor: str | None
