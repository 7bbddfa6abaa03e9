"""Webhook subscriptions and their outbox of deliveries.

A delivery row is written in the same transaction as the change it reports, so a crash
can neither lose an event nor invent one; workers claim rows with a lease.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, JsonType, TimestampedMixin, UtcDateTime, utcnow
from api.models.ids import new_public_id


class WebhookSubscription(TimestampedMixin, Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JsonType, default=list)
    # Filters; NULL matches everything. Entity and category are slugs.
    entity: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(100))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    importance_min: Mapped[int | None] = mapped_column(SmallInteger)
    # Kept in the clear because every delivery is signed with it; never returned after
    # creation (``whsec_`` + base64 of 24 random bytes).
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The ``key_id`` of the API key that made it: only that key, or an admin key, may see or
    # manage it. NULL: admin keys only (subscriptions made before owners were recorded).
    owner_key_id: Mapped[str | None] = mapped_column(String(16), index=True)


class WebhookDelivery(Base):
    """One event for one subscription; its id is the ``webhook-id`` receivers dedupe on."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # serves the workers' claim: due rows, oldest first
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        # serves a subscription's delivery log, newest first
        Index("ix_webhook_deliveries_subscription_id_id", "subscription_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(200))
    # The event as it was at write time, so a delete still carries what was deleted.
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # pending | delivering | succeeded | dead
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # When it is next due; while delivering, the end of the claiming worker's lease.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
