"""REST responses and query parameters of webhook subscriptions and their delivery log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from api.domain.webhooks import EventType
from api.rest.core.params import Cursor, QueryModel
from api.rest.core.responses import Strict

DeliveryStatus = Literal["pending", "delivering", "succeeded", "dead"]


class Webhook(Strict):
    id: str = Field(description="The subscription's id.")
    url: str
    description: str | None
    event_types: list[EventType]
    entity: str | None = Field(description="Only articles mentioning this entity (slug).")
    category: str | None = Field(description="Only articles in this category (slug).")
    sentiment: Literal["bullish", "bearish", "neutral"] | None
    importance_min: int | None = Field(ge=1, le=10)
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(ge=1)


class WebhookCreated(Webhook):
    secret: str | None = Field(
        description="Signs every delivery (`whsec_...`). Shown in this answer only: store it "
        "now. Null when the answer is replayed to a retry with the same `Idempotency-Key` "
        "(`Idempotent-Replayed: true`): the secret is not kept for replays."
    )
    secret_note: str | None = Field(
        default=None,
        description="Only in a replayed answer: says that the secret was shown once, in the "
        "first answer, and is not repeated.",
    )


class WebhookList(Strict):
    items: list[Webhook]


class WebhookDelivery(Strict):
    id: str = Field(description="The `webhook-id` header: the same on every retry.")
    event_type: EventType
    resource_id: str = Field(description="The article's public id.")
    status: DeliveryStatus
    attempts: int = Field(ge=0)
    next_attempt_at: dt.datetime | None = Field(description="When it is tried next, if it is.")
    last_status_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any] = Field(description="The event body, as sent.")


class WebhookDeliveryPage(Strict):
    items: list[WebhookDelivery]
    next_cursor: str | None


class DeliveriesQuery(QueryModel):
    limit: int = Field(default=20, ge=1, le=100, description="Page size.")
    cursor: Cursor | None = Field(default=None, description="`next_cursor` of the previous page.")
