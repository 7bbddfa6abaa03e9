"""Webhook mutations: create (the one answer with the secret), update, delete, redeliver."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.domain import webhooks
from api.domain.webhooks import WebhookCreate, WebhookUpdate
from api.graphql.core.context import Info
from api.graphql.core.inputs import Sentiment
from api.graphql.core.mutation import EXPECTED_VERSION, UNCONDITIONAL_DELETE, mutation, write
from api.graphql.core.results import DeleteResult, DeleteSuccess, MutationError
from api.graphql.core.validation import UNSET, plain, validated
from api.graphql.webhooks.queries import (
    Webhook,
    WebhookDelivery,
    WebhookEventType,
    caller,
    delivery,
    webhook,
)
from api.settings import Settings


@strawberry.input(description="A webhook subscription: where to send which article events.")
class WebhookInput:
    url: str
    description: str | None = UNSET
    event_types: list[WebhookEventType] | None = strawberry.field(
        default=UNSET, description="Left out: all of them."
    )
    entity: str | None = UNSET
    category: str | None = UNSET
    sentiment: Sentiment | None = UNSET
    importance_min: int | None = UNSET
    active: bool | None = strawberry.field(default=UNSET, description="Left out: true.")


@strawberry.input(description="Fields of a subscription to change; left out = unchanged.")
class WebhookUpdateInput:
    url: str | None = strawberry.field(default=UNSET, description="Cannot be null.")
    description: str | None = UNSET
    event_types: list[WebhookEventType] | None = strawberry.field(
        default=UNSET, description="Cannot be null."
    )
    entity: str | None = strawberry.field(default=UNSET, description="Null: any entity.")
    category: str | None = strawberry.field(default=UNSET, description="Null: any category.")
    sentiment: Sentiment | None = UNSET
    importance_min: int | None = UNSET
    active: bool | None = strawberry.field(default=UNSET, description="Cannot be null.")


@strawberry.type(description="The new subscription and its signing secret, shown only here.")
class CreateWebhookSuccess:
    webhook: Webhook
    secret: str = strawberry.field(description="`whsec_...`: verify signatures with it.")


@strawberry.type(description="The subscription as stored after the write.")
class WebhookMutationSuccess:
    webhook: Webhook


@strawberry.type(description="The delivery, queued to be sent again now.")
class RedeliverWebhookSuccess:
    delivery: WebhookDelivery


CreateWebhookResult = Annotated[
    CreateWebhookSuccess | MutationError, strawberry.union("CreateWebhookResult")
]
WebhookResult = Annotated[WebhookMutationSuccess | MutationError, strawberry.union("WebhookResult")]
RedeliverWebhookResult = Annotated[
    RedeliverWebhookSuccess | MutationError, strawberry.union("RedeliverWebhookResult")
]


def _allow(info: Info) -> list[str]:
    settings: Settings = info.context.request.app.state.settings
    return settings.webhook_allowed_hosts


def _data(value: Any) -> Any:
    data = plain(value)
    if isinstance(data.get("event_types"), list):
        data["event_types"] = [str(e) for e in data["event_types"]]
    return data


@mutation(
    CreateWebhookResult, "Subscribe a URL to article events; the answer holds the secret, once."
)
async def create_webhook(info: Info, input: WebhookInput) -> CreateWebhookSuccess:
    item = validated(WebhookCreate, _data(input), "input")
    record = await write(
        info,
        "input.",
        webhooks.create_subscription,
        item,
        allow=_allow(info),
        caller=caller(info),
    )
    assert record.secret is not None
    return CreateWebhookSuccess(webhook=webhook(record), secret=record.secret)


@mutation(WebhookResult, f"Change a webhook subscription. {EXPECTED_VERSION}")
async def update_webhook(
    info: Info, id: strawberry.ID, input: WebhookUpdateInput, expected_version: int | None = None
) -> WebhookMutationSuccess:
    change = validated(WebhookUpdate, _data(input), "input")
    record = await write(
        info,
        "input.",
        webhooks.update_subscription,
        str(id),
        change,
        allow=_allow(info),
        expected_version=expected_version,
        caller=caller(info),
    )
    return WebhookMutationSuccess(webhook=webhook(record))


@mutation(
    DeleteResult, f"Delete a webhook subscription and its delivery log. {UNCONDITIONAL_DELETE}"
)
async def delete_webhook(
    info: Info, id: strawberry.ID, expected_version: int | None = None
) -> DeleteSuccess:
    await write(
        info,
        None,
        webhooks.delete_subscription,
        str(id),
        expected_version=expected_version,
        caller=caller(info),
    )
    return DeleteSuccess(id=str(id))


@mutation(RedeliverWebhookResult, "Send a delivery again now (same webhook-id, fresh attempts).")
async def redeliver_webhook(
    info: Info, id: strawberry.ID, delivery_id: strawberry.ID
) -> RedeliverWebhookSuccess:
    record = await write(
        info, None, webhooks.redeliver, str(id), str(delivery_id), caller=caller(info)
    )
    return RedeliverWebhookSuccess(delivery=delivery(record))
