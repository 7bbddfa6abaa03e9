"""Stories: articles telling the same event, grouped at write time.

``stories`` and ``story_members`` are the contract the read side serves. ``story_signatures``
and ``story_entity_keys`` belong to the clustering alone: what it compares (an article's text
features and salient entities) and how it finds candidates ((entity, term) -> articles).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, JsonType, UtcDateTime, utcnow
from api.models.ids import new_public_id


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (
        # serves "newest-updated first" keyset paging; id is the unique tie-breaker
        Index("ix_stories_updated_at_id", "updated_at", "id"),
        Index("ix_stories_size", "size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    size: Mapped[int] = mapped_column(Integer)
    source_count: Mapped[int] = mapped_column(Integer)
    # The most important member; ties go to the earliest published, then the lowest id.
    headline_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    first_published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Its distinct sources as the JSON text an article's story carries,
    # ``[{"slug", "name"}]`` by first coverage, then slug (``aggregates.sources_json``):
    # feed items read it instead of grouping the members per item. Text, not JSONB, which
    # would reorder the keys.
    sources: Mapped[str] = mapped_column(Text, server_default=text("'[]'"))
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime, default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime, default=utcnow, server_default=func.current_timestamp()
    )


class StoryMember(Base):
    """An article's place in its story: every clustered article has exactly one row."""

    __tablename__ = "story_members"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    # {"shared_entities": [{"slug", "name", "type", "weight"}], "text_similarity",
    #  "hours_apart", "evidence": "similarity"|"editor_link"|"founder", "matched_article_id"}
    explanation: Mapped[dict[str, Any]] = mapped_column(JsonType)
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class StorySignature(Base):
    """What the clustering compares an article by, kept so candidates need no re-parsing."""

    __tablename__ = "story_signatures"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source_id: Mapped[int] = mapped_column(Integer)
    # Sorted stemmed content words: {"t": title, "s": summary, "k": title topic terms}.
    terms: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # {"salient": [[entity_id, salience]...], "mentioned": [ids], "named": [ids in the title]}
    entities: Mapped[dict[str, Any]] = mapped_column(JsonType)


class StoryEntityKey(Base):
    """(Salient entity, title topic term) -> articles, by time: the candidate lookup.

    A pair of articles is compared only when they share a key within the time window; the
    term keeps the blocks of very common entities small.
    """

    __tablename__ = "story_entity_keys"
    __table_args__ = (
        # the cleanup path when an article is reclustered or deleted
        Index("ix_story_entity_keys_article_id", "article_id"),
    )

    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
