"""Articles and the stored related links between them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, JsonType, TimestampedMixin, UtcDateTime
from api.models.entity import enum_column
from api.models.enums import LinkKind, Sentiment
from api.models.ids import new_public_id

if TYPE_CHECKING:
    from api.models.entity import Mention
    from api.models.source import Category, Source


class Article(TimestampedMixin, Base):
    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint("importance BETWEEN 1 AND 10", name="importance_range"),
        CheckConstraint(
            "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)",
            name="sentiment_score_range",
        ),
        # serves the feed, newest first; id is the unique keyset tie-breaker
        Index("ix_articles_published_at_id", "published_at", "id"),
        # serves the feed ordered by importance (order=importance)
        Index("ix_articles_importance_published_at_id", "importance", "published_at", "id"),
        # serves the feed filtered by category
        Index("ix_articles_category_id_published_at_id", "category_id", "published_at", "id"),
        # serves the feed filtered by source, and a source's articles
        Index("ix_articles_source_id_published_at_id", "source_id", "published_at", "id"),
    )

    # Internal key for joins; never leaves the service. Clients see public_id and slug.
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    # The canonical URL is the dedup key for ingest.
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    author: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_credit: Mapped[str | None] = mapped_column(String(300))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    sentiment: Mapped[Sentiment] = mapped_column(enum_column(Sentiment, "sentiment"))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    importance: Mapped[int] = mapped_column(SmallInteger)
    summary: Mapped[str] = mapped_column(Text)
    analysis: Mapped[list[str]] = mapped_column(JsonType, default=list)
    key_takeaways: Mapped[list[str]] = mapped_column(JsonType, default=list)
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")

    source: Mapped[Source] = relationship(lazy="raise")
    category: Mapped[Category | None] = relationship(lazy="raise")
    mentions: Mapped[list[Mention]] = relationship(
        back_populates="article", lazy="raise", cascade="all, delete-orphan"
    )
    links: Mapped[list[ArticleLink]] = relationship(
        foreign_keys="ArticleLink.from_article_id",
        lazy="raise",
        cascade="all, delete-orphan",
    )


class ArticleLink(Base):
    """A stored "these belong together" link, set by an editor or an ingest pipeline."""

    __tablename__ = "article_links"
    __table_args__ = (
        UniqueConstraint("from_article_id", "to_article_id", "kind"),
        CheckConstraint("from_article_id <> to_article_id", name="no_self_link"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_range"),
        # serves "what links here" and cascading cleanup when the target goes away
        Index("ix_article_links_to_article_id", "to_article_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    to_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[LinkKind] = mapped_column(
        Enum(
            LinkKind,
            name="link_kind",
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    score: Mapped[float | None] = mapped_column(Float)

    target: Mapped[Article] = relationship(foreign_keys=[to_article_id], lazy="raise")
