"""The cache purge outbox: what a committed write asks the HTTP caches in front to drop.

A row is written in the same transaction as the change, so a crash can neither lose a
purge nor send one for a write that rolled back; workers claim rows with a lease, as they
claim webhook deliveries. A row is deleted once its cache has answered; one that ran out
of attempts stays, ``dead``, for an operator to see.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, JsonType, UtcDateTime, utcnow
from api.models.ids import new_public_id


class CachePurge(Base):
    __tablename__ = "cache_purges"
    __table_args__ = (
        # serves the workers' claim: due rows, oldest first
        Index("ix_cache_purges_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    # The cache endpoint (one of BROADSHEET_CACHE_PURGE_URLS) this purge goes to.
    target: Mapped[str] = mapped_column(String(2048))
    # Purge keys ("article-<id>", "feed", ...), as responses name them.
    keys: Mapped[list[str]] = mapped_column(JsonType)
    # pending | delivering | dead
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # When it is next due; while delivering, the end of the claiming worker's lease.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
