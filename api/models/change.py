"""The changes log (what clients mirror from) and tombstones of deleted articles."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, UtcDateTime, utcnow

# BIGINT on PostgreSQL; SQLite only makes INTEGER PRIMARY KEY an auto-incrementing rowid.
ChangeSeq = BigInteger().with_variant(Integer(), "sqlite")


class Change(Base):
    """One committed create, update or delete. ``seq`` increases in commit order."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(ChangeSeq, primary_key=True, autoincrement=True)
    resource: Mapped[str] = mapped_column(String(16))  # article | source | entity
    op: Mapped[str] = mapped_column(String(16))  # created | updated | deleted
    # The resource's public key: an article's public id, a source's or entity's slug.
    resource_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ArticleTombstone(Base):
    """A deleted article's identifiers: reads of them answer 410 Gone, not 404."""

    __tablename__ = "article_tombstones"

    public_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    deleted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
