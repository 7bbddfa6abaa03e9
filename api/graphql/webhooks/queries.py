"""Webhook subscriptions in GraphQL: the types and the two (keyed) query fields.

Subscriptions are not public: ``webhooks`` and ``webhook`` need a write key, like REST's
``GET /v1/webhooks``; without one they answer an UNAUTHENTICATED or FORBIDDEN error. A key
reaches only the subscriptions it made (an admin key all of them), so every domain call
names the request's key. A subscription's secret is not among its fields: only
``createWebhook`` answers it, once.
"""

from __future__ import annotations

import datetime as dt
import enum

import orjson
import strawberry

from api.domain import webhooks
from api.domain.access import KeyRecord
from api.domain.webhooks import DeliveryRecord, WebhookRecord
from api.errors import InvalidInput, NotFound, Unauthenticated
from api.graphql.core.context import Info
from api.graphql.core.inputs import Sentiment
from api.graphql.core.mutation import authorize


def caller(info: Info) -> KeyRecord:
    """The request's key, once it may reach subscriptions (the write scope)."""
    key: KeyRecord | None = info.context.request.state.api_key
    if key is None:
        raise Unauthenticated(detail="webhook subscriptions need an API key with the write scope")
    authorize(info.context.request)  # FORBIDDEN below the write scope
    return key


@strawberry.enum(description="What happened to an article.")
class WebhookEventType(enum.StrEnum):
    ARTICLE_CREATED = "article.created"
    ARTICLE_UPDATED = "article.updated"
    ARTICLE_DELETED = "article.deleted"


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    SUCCEEDED = "succeeded"
    DEAD = "dead"


@strawberry.type(description="One event for one subscription, with its attempts so far.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The `webhook-id` header; same on retries.")
    event_type: WebhookEventType
    resource_id: str = strawberry.field(description="The article's public id.")
    status: WebhookDeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: str = strawberry.field(description="The event body as sent (JSON text).")


@strawberry.type(description="A page of deliveries, newest first.")
class WebhookDeliveryPage:
    items: list[WebhookDelivery]
    next_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


async def _deliveries(
    root: Webhook, info: Info, first: int = 20, after: str | None = None
) -> WebhookDeliveryPage:
    if not 1 <= first <= webhooks.MAX_DELIVERIES_PAGE:
        raise InvalidInput.for_param("first", "must be within 1..100")
    records, cursor = await info.context.run(
        webhooks.list_deliveries, str(root.id), cursor=after, limit=first, caller=caller(info)
    )
    return WebhookDeliveryPage(items=[delivery(r) for r in records], next_cursor=cursor)


@strawberry.type(description="A webhook subscription; its secret is only ever shown at creation.")
class Webhook:
    id: strawberry.ID
    url: str
    description: str | None
    event_types: list[WebhookEventType]
    entity: str | None = strawberry.field(description="Only articles mentioning this entity.")
    category: str | None = strawberry.field(description="Only articles in this category.")
    sentiment: Sentiment | None
    importance_min: int | None
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = strawberry.field(description="Pass as `expectedVersion` to change it next.")

    deliveries: WebhookDeliveryPage = strawberry.field(
        resolver=_deliveries,
        description="The delivery log, newest first; `first` <= 100.",
    )


def webhook(record: WebhookRecord) -> Webhook:
    return Webhook(
        id=strawberry.ID(record.id),
        url=record.url,
        description=record.description,
        event_types=[WebhookEventType(e) for e in record.event_types],
        entity=record.entity,
        category=record.category,
        sentiment=Sentiment(record.sentiment) if record.sentiment else None,
        importance_min=record.importance_min,
        active=record.active,
        created_at=record.created_at,
        updated_at=record.updated_at,
        version=record.version,
    )


def delivery(record: DeliveryRecord) -> WebhookDelivery:
    return WebhookDelivery(
        id=strawberry.ID(record.id),
        event_type=WebhookEventType(record.event_type),
        resource_id=record.resource_id,
        status=WebhookDeliveryStatus(record.status),
        attempts=record.attempts,
        next_attempt_at=record.next_attempt_at,
        last_status_code=record.last_status_code,
        last_error=record.last_error,
        created_at=record.created_at,
        delivered_at=record.delivered_at,
        payload=orjson.dumps(record.payload).decode(),
    )


async def _webhooks(info: Info) -> list[Webhook]:
    key = caller(info)
    return [webhook(r) for r in await info.context.run(webhooks.list_subscriptions, caller=key)]


async def _webhook(info: Info, id: strawberry.ID) -> Webhook | None:
    key = caller(info)
    try:
        return webhook(await info.context.run(webhooks.get_subscription, str(id), caller=key))
    except NotFound:  # another key's subscription too
        return None


WEBHOOKS = strawberry.field(
    resolver=_webhooks,
    graphql_type=list[Webhook],
    description="Webhook subscriptions (REST: GET /v1/webhooks); needs a write key. A key "
    "sees the ones it made, an admin key all of them.",
)
WEBHOOK = strawberry.field(
    resolver=_webhook,
    graphql_type=Webhook | None,
    description="A webhook subscription by id, or null (also when another key made it); "
    "needs a write key.",
)
