"""Webhook handlers: translate bodies into domain calls on subscriptions and shape replies.

Every call names the request's key: the domain shows each key its own subscriptions only
(an admin key all of them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from api.domain import webhooks
from api.domain.access import KeyRecord
from api.errors import Unauthenticated
from api.rest.core.operations import Call, Reply
from api.rest.core.preconditions import expected_version, version_prefix
from api.rest.webhooks.schemas import DeliveriesQuery
from api.settings import Settings


def _allow(call: Call) -> list[str]:
    settings: Settings = call.request.app.state.settings
    return settings.webhook_allowed_hosts


def _caller(call: Call) -> KeyRecord:
    key: KeyRecord | None = call.request.state.api_key
    if key is None:  # the operation's scope was checked first; this is a backstop
        raise Unauthenticated(detail="webhook subscriptions need an API key with the write scope")
    return key


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
    record = await webhooks.create_subscription(
        call.session, call.body, allow=_allow(call), caller=_caller(call)
    )
    return _reply(record, created=True)


async def list_webhooks(call: Call) -> Reply:
    records = await webhooks.list_subscriptions(call.session, caller=_caller(call))
    return Reply({"items": [webhook_view(r) for r in records]})


async def get_webhook(call: Call) -> Reply:
    record = await webhooks.get_subscription(call.session, call.path["id"], caller=_caller(call))
    return _reply(record)


async def update_webhook(call: Call) -> Reply:
    record = await webhooks.update_subscription(
        call.session,
        call.path["id"],
        call.body,
        allow=_allow(call),
        expected_version=expected_version(call.request, required=False),
        caller=_caller(call),
    )
    return _reply(record)


async def delete_webhook(call: Call) -> Reply:
    expected = expected_version(call.request, required=False)
    await webhooks.delete_subscription(
        call.session, call.path["id"], expected_version=expected, caller=_caller(call)
    )
    return Reply(None)


async def list_deliveries(call: Call) -> Reply:
    query: DeliveriesQuery = call.query
    records, cursor = await webhooks.list_deliveries(
        call.session,
        call.path["id"],
        cursor=query.cursor,
        limit=query.limit,
        caller=_caller(call),
    )
    return Reply({"items": [dataclasses.asdict(r) for r in records], "next_cursor": cursor})


async def redeliver(call: Call) -> Reply:
    record = await webhooks.redeliver(
        call.session, call.path["id"], call.path["delivery_id"], caller=_caller(call)
    )
    return Reply(dataclasses.asdict(record))
