"""Things articles mention (companies, people, tokens, countries...) and the mentions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, JsonType, TimestampedMixin
from api.models.enums import EntityType, Sentiment

if TYPE_CHECKING:
    from api.models.article import Article


def enum_column(enum_cls: type[Sentiment] | type[EntityType], name: str) -> Enum:
    # VARCHAR + CHECK rather than a native enum: portable, and a new value is a cheap migration.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Entity(TimestampedMixin, Base):
    __tablename__ = "entities"
    __table_args__ = (
        # serves /entities?type=&q= (type filter with name-prefix search, ordered by name)
        Index("ix_entities_type_name", "type", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[EntityType] = mapped_column(enum_column(EntityType, "entity_type"))
    aliases: Mapped[list[str]] = mapped_column(JsonType, default=list)
    ticker: Mapped[str | None] = mapped_column(String(20))
    wikidata_id: Mapped[str | None] = mapped_column(String(20))
    homepage_url: Mapped[str | None] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    # How many articles mention this entity (its document frequency). Maintained by database
    # triggers on mentions (migration 0002): never written by the application.
    article_count: Mapped[int] = mapped_column(default=0, server_default="0")

    mentions: Mapped[list[Mention]] = relationship(back_populates="entity", lazy="raise")


class Mention(Base):
    """An article mentions an entity, with how central the entity is to the story."""

    __tablename__ = "mentions"
    __table_args__ = (
        CheckConstraint("salience >= 0 AND salience <= 1", name="salience_range"),
        # serves articles-by-entity: entity -> its articles, newest via the article index
        Index("ix_mentions_entity_id_article_id", "entity_id", "article_id"),
    )

    # The composite primary key serves article -> its entities (article page, feed).
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    salience: Mapped[float] = mapped_column(Float)
    sentiment: Mapped[Sentiment | None] = mapped_column(enum_column(Sentiment, "mention_sentiment"))

    article: Mapped[Article] = relationship(back_populates="mentions", lazy="raise")
    entity: Mapped[Entity] = relationship(back_populates="mentions", lazy="raise")
