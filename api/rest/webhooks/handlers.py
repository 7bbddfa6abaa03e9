"""Webhook handlers: translate bodies into domain calls on subscriptions and shape replies."""

from __future__ import annotations

import dataclasses
from typing import Any

from api.domain import webhooks
from api.rest.core.operations import Call, Reply
from api.rest.core.preconditions import expected_version, version_prefix
from api.rest.webhooks.schemas import DeliveriesQuery
from api.settings import Settings


def _allow(call: Call) -> list[str]:
    settings: Settings = call.request.app.state.settings
    return settings.webhook_allowed_hosts


def webhook_view(record: webhooks.WebhookRecord) -> dict[str, Any]:
    view = dataclasses.asdict(record)
    if view.pop("secret") is not None:
        view["secret"] = record.secret
    return view


def _reply(record: webhooks.WebhookRecord, *, created: bool = False) -> Reply:
    return Reply(
        webhook_view(record),
        etag_prefix=version_prefix(record.version),
        location=f"/v1/webhooks/{record.id}" if created else None,
    )


async def create_webhook(call: Call) -> Reply:
    record = await webhooks.create_subscription(call.session, call.body, allow=_allow(call))
    return _reply(record, created=True)


async def list_webhooks(call: Call) -> Reply:
    records = await webhooks.list_subscriptions(call.session)
    return Reply({"items": [webhook_view(r) for r in records]})


async def get_webhook(call: Call) -> Reply:
    return _reply(await webhooks.get_subscription(call.session, call.path["id"]))


async def update_webhook(call: Call) -> Reply:
    record = await webhooks.update_subscription(
        call.session,
        call.path["id"],
        call.body,
        allow=_allow(call),
        expected_version=expected_version(call.request, required=False),
    )
    return _reply(record)


async def delete_webhook(call: Call) -> Reply:
    expected = expected_version(call.request, required=False)
    await webhooks.delete_subscription(call.session, call.path["id"], expected_version=expected)
    return Reply(None)


async def list_deliveries(call: Call) -> Reply:
    query: DeliveriesQuery = call.query
    records, cursor = await webhooks.list_deliveries(
        call.session, call.path["id"], cursor=query.cursor, limit=query.limit
    )
    return Reply({"items": [dataclasses.asdict(r) for r in records], "next_cursor": cursor})


async def redeliver(call: Call) -> Reply:
    record = await webhooks.redeliver(call.session, call.path["id"], call.path["delivery_id"])
    return Reply(dataclasses.asdict(record))
