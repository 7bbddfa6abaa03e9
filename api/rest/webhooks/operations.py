"""The webhooks tag: subscriptions and their delivery log.

Subscriptions are not public data: reading them needs a key with the write scope too, and
a key reaches only the subscriptions it made (an admin key all of them); another key's
are answered 404, as if they did not exist.
"""

from __future__ import annotations

from api.domain.webhooks import WebhookCreate, WebhookUpdate
from api.models import KeyScope
from api.rest.core.operations import Operation, PathParam
from api.rest.webhooks import handlers
from api.rest.webhooks.schemas import (
    DeliveriesQuery,
    Webhook,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookList,
)

TAG = "webhooks"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
WEBHOOK_ID = PathParam(
    "id",
    "The subscription's id.",
    pattern=UUID_PATTERN,
    max_length=36,
    example="0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d",
    response_field="id",
)
DELIVERY_ID = PathParam(
    "delivery_id",
    "The delivery's id (its `webhook-id`).",
    pattern=UUID_PATTERN,
    max_length=36,
    example="0196f0c2-9b1d-7e42-8a5c-3d2e1f0a9b8c",
    response_field="id",
)
PRIVATE = "no-store"
ITEM = "/v1/webhooks/{id}"
WRITE = KeyScope.WRITE

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        path="/v1/webhooks",
        operation_id="createWebhook",
        summary="Subscribe a URL to article events",
        tag=TAG,
        response=WebhookCreated,
        handler=handlers.create_webhook,
        description="The answer carries the signing secret; it is never shown again, not "
        "even to a retry with the same `Idempotency-Key` (its replay has `secret: null` and a "
        "`secret_note`). The subscription belongs to the key that made it: other keys cannot "
        "see or change it, admin keys can. Private, loopback and link-local targets are "
        "refused (422) unless allow-listed.",
        method="POST",
        body=WebhookCreate,
        scope=WRITE,
        success=201,
        statuses=(413, 415, 422),
    ),
    Operation(
        path="/v1/webhooks",
        operation_id="listWebhooks",
        summary="Webhook subscriptions",
        tag=TAG,
        response=WebhookList,
        handler=handlers.list_webhooks,
        description="The subscriptions this key made; an admin key sees all of them.",
        scope=WRITE,
        cache_control=PRIVATE,
        statuses=(401, 403),
    ),
    Operation(
        path=ITEM,
        operation_id="getWebhook",
        summary="A webhook subscription (without its secret)",
        tag=TAG,
        response=Webhook,
        handler=handlers.get_webhook,
        path_params=(WEBHOOK_ID,),
        scope=WRITE,
        cache_control=PRIVATE,
        statuses=(401, 403, 404),
    ),
    Operation(
        path=ITEM,
        operation_id="updateWebhook",
        summary="Change a webhook subscription",
        tag=TAG,
        response=Webhook,
        handler=handlers.update_webhook,
        path_params=(WEBHOOK_ID,),
        method="PATCH",
        body=WebhookUpdate,
        scope=WRITE,
        statuses=(404, 412, 413, 415, 422),
    ),
    Operation(
        path=ITEM,
        operation_id="deleteWebhook",
        summary="Delete a webhook subscription and its delivery log",
        tag=TAG,
        response=Webhook,
        handler=handlers.delete_webhook,
        path_params=(WEBHOOK_ID,),
        method="DELETE",
        scope=WRITE,
        success=204,
        statuses=(404, 412),
    ),
    Operation(
        path=f"{ITEM}/deliveries",
        operation_id="listWebhookDeliveries",
        summary="A subscription's deliveries, newest first: status, attempts, last error",
        tag=TAG,
        response=WebhookDeliveryPage,
        handler=handlers.list_deliveries,
        path_params=(WEBHOOK_ID,),
        query=DeliveriesQuery,
        scope=WRITE,
        cache_control=PRIVATE,
        statuses=(401, 403, 404),
    ),
    Operation(
        path=f"{ITEM}/deliveries/{{delivery_id}}:redeliver",
        operation_id="redeliverWebhook",
        summary="Send a delivery again now (same webhook-id, a fresh set of attempts)",
        tag=TAG,
        response=WebhookDelivery,
        handler=handlers.redeliver,
        path_params=(WEBHOOK_ID, DELIVERY_ID),
        method="POST",
        scope=WRITE,
        statuses=(404,),
    ),
)
