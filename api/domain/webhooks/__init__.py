"""Webhooks: subscriptions, the outbox written with each change, signed delivery, the worker."""

from api.domain.webhooks.inputs import EventType, WebhookCreate, WebhookUpdate
from api.domain.webhooks.subscriptions import (
    MAX_DELIVERIES_PAGE,
    DeliveryRecord,
    WebhookRecord,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    redeliver,
    update_subscription,
)
from api.domain.webhooks.worker import WebhookWorker, running

__all__ = [
    "MAX_DELIVERIES_PAGE",
    "DeliveryRecord",
    "EventType",
    "WebhookCreate",
    "WebhookRecord",
    "WebhookUpdate",
    "WebhookWorker",
    "create_subscription",
    "delete_subscription",
    "get_subscription",
    "list_deliveries",
    "list_subscriptions",
    "redeliver",
    "running",
    "update_subscription",
]
