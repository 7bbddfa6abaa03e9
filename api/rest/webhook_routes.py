"""Webhook subscription operations (declared here; listed in routes.OPERATIONS).

Subscriptions are not public data: reading them needs a key with the write scope too.
"""

from __future__ import annotations

from api.domain.webhooks import WebhookCreate, WebhookUpdate
from api.models import KeyScope
from api.rest import webhook_handlers as handlers
from api.rest.core.operations import Operation, PathParam
from api.rest.webhook_schemas import (
    DeliveriesQuery,
    Webhook,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookList,
)

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


def webhook_operations() -> tuple[Operation, ...]:
    write = KeyScope.WRITE
    item = "/v1/webhooks/{id}"
    return (
        Operation(
            "/v1/webhooks", "createWebhook", "Subscribe a URL to article events", "webhooks",
            WebhookCreated, handlers.create_webhook,
            description="The answer carries the signing secret; it is never shown again. "
            "Private, loopback and link-local targets are refused (422) unless allow-listed.",
            method="POST", body=WebhookCreate, scope=write, success=201,
            statuses=(413, 415, 422),
        ),
        Operation(
            "/v1/webhooks", "listWebhooks", "Webhook subscriptions", "webhooks", WebhookList,
            handlers.list_webhooks, scope=write, cache_control=PRIVATE, statuses=(401, 403),
        ),
        Operation(
            item, "getWebhook", "A webhook subscription (without its secret)", "webhooks",
            Webhook, handlers.get_webhook, path_params=(WEBHOOK_ID,), scope=write,
            cache_control=PRIVATE, statuses=(401, 403, 404),
        ),
        Operation(
            item, "updateWebhook", "Change a webhook subscription", "webhooks", Webhook,
            handlers.update_webhook, path_params=(WEBHOOK_ID,), method="PATCH",
            body=WebhookUpdate, scope=write, statuses=(404, 412, 413, 415, 422),
        ),
        Operation(
            item, "deleteWebhook", "Delete a webhook subscription and its delivery log",
            "webhooks", Webhook, handlers.delete_webhook, path_params=(WEBHOOK_ID,),
            method="DELETE", scope=write, success=204, statuses=(404, 412),
        ),
        Operation(
            f"{item}/deliveries", "listWebhookDeliveries",
            "A subscription's deliveries, newest first: status, attempts, last error",
            "webhooks", WebhookDeliveryPage, handlers.list_deliveries,
            path_params=(WEBHOOK_ID,), query=DeliveriesQuery, scope=write,
            cache_control=PRIVATE, statuses=(401, 403, 404),
        ),
        Operation(
            f"{item}/deliveries/{{delivery_id}}:redeliver", "redeliverWebhook",
            "Send a delivery again now (same webhook-id, a fresh set of attempts)", "webhooks",
            WebhookDelivery, handlers.redeliver, path_params=(WEBHOOK_ID, DELIVERY_ID),
            method="POST", scope=write, statuses=(404,),
        ),
    )  # fmt: skip
