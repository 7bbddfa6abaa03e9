"""Webhook subscriptions: create, read, change, delete; the delivery log and redelivery.

Both doors call these with the request's key (``caller``). A subscription belongs to the
key that made it: any other key is answered as if it did not exist, except an admin key,
which reaches them all (and alone reaches those made before owners were recorded). The
secret is returned by ``create_subscription`` only, and never stored with the answer an
idempotent retry replays; every other read leaves it out. Target URLs pass the SSRF guard
before they are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.access import KeyRecord
from api.domain.shared.cursors import decode_cursor, encode_cursor
from api.domain.shared.idempotency import withhold_from_replay
from api.domain.webhooks.inputs import WebhookCreate, WebhookUpdate
from api.domain.webhooks.signing import new_secret
from api.domain.webhooks.targets import TargetRefused, check_target, refusal_error
from api.errors import Forbidden, NotFound, PreconditionFailed
from api.models import KeyScope
from api.models.base import utcnow
from api.models.webhooks import WebhookDelivery, WebhookSubscription

MAX_DELIVERIES_PAGE = 100
_CURSOR_KIND = "webhook-deliveries"
_FIELDS = ("url", "description", "event_types", "entity", "category", "importance_min", "active")
_Stmt = TypeVar("_Stmt", bound=Select[Any])
REPLAY_NOTE = (
    "The secret is shown once, in the first answer to this request, and is not kept for "
    "replays. If it was lost, delete this subscription and create a new one."
)


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    id: str
    url: str
    description: str | None
    event_types: list[str]
    entity: str | None
    category: str | None
    sentiment: str | None
    importance_min: int | None
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    # Only on the answer to a create: the one time the secret is shown.
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: str
    event_type: str
    resource_id: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any]


def _record(sub: WebhookSubscription, *, secret: str | None = None) -> WebhookRecord:
    return WebhookRecord(
        id=sub.id,
        url=sub.url,
        description=sub.description,
        event_types=list(sub.event_types),
        entity=sub.entity,
        category=sub.category,
        sentiment=sub.sentiment,
        importance_min=sub.importance_min,
        active=sub.active,
        created_at=sub.created_at,
        updated_at=sub.updated_at,
        version=sub.version,
        secret=secret,
    )


def delivery_record(row: WebhookDelivery) -> DeliveryRecord:
    waiting = row.status in ("pending", "delivering")
    return DeliveryRecord(
        id=row.id,
        event_type=row.event_type,
        resource_id=row.resource_id,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if waiting else None,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        payload=row.payload,
    )


def _may_write(caller: KeyRecord) -> None:
    if not caller.scope.allows(KeyScope.WRITE):  # the doors check first; this is a backstop
        raise Forbidden(detail=f"this key has the {caller.scope} scope; write is needed")


def _owned_by(stmt: _Stmt, caller: KeyRecord) -> _Stmt:
    """Only the caller's own subscriptions, unless it is an admin key."""
    _may_write(caller)
    if caller.scope.allows(KeyScope.ADMIN):
        return stmt
    return stmt.where(WebhookSubscription.owner_key_id == caller.key_id)


async def _checked(url: str, allow: Sequence[str]) -> str:
    try:
        await check_target(url, allow)
    except TargetRefused as exc:
        raise refusal_error(exc) from None
    return url


async def create_subscription(
    session: AsyncSession, item: WebhookCreate, *, allow: Sequence[str], caller: KeyRecord
) -> WebhookRecord:
    _may_write(caller)
    url = await _checked(item.url, allow)
    secret = new_secret()
    sub = WebhookSubscription(
        url=url,
        description=item.description,
        event_types=list(item.event_types),
        entity=item.entity,
        category=item.category,
        sentiment=item.sentiment.value if item.sentiment else None,
        importance_min=item.importance_min,
        active=item.active,
        secret=secret,
        owner_key_id=caller.key_id,
        version=1,
    )
    session.add(sub)
    await session.flush()
    withhold_from_replay(session, secret, note=REPLAY_NOTE)
    return _record(sub, secret=secret)


async def _get(
    session: AsyncSession, webhook_id: str, caller: KeyRecord, *, lock: bool = False
) -> WebhookSubscription:
    """The subscription, if it is the caller's to see: another key's is NotFound too."""
    stmt = _owned_by(select(WebhookSubscription), caller)
    stmt = stmt.where(WebhookSubscription.id == webhook_id)
    if lock:
        stmt = stmt.with_for_update()
    sub = (await session.scalars(stmt)).first()
    if sub is None:
        raise NotFound(detail=f"no webhook subscription {webhook_id!r}")
    return sub


async def get_subscription(
    session: AsyncSession, webhook_id: str, *, caller: KeyRecord
) -> WebhookRecord:
    return _record(await _get(session, webhook_id, caller))


async def list_subscriptions(session: AsyncSession, *, caller: KeyRecord) -> list[WebhookRecord]:
    stmt = _owned_by(select(WebhookSubscription), caller).order_by(WebhookSubscription.id)
    return [_record(sub) for sub in (await session.scalars(stmt)).all()]


async def update_subscription(
    session: AsyncSession,
    webhook_id: str,
    change: WebhookUpdate,
    *,
    allow: Sequence[str],
    expected_version: int | None,
    caller: KeyRecord,
) -> WebhookRecord:
    sub = await _get(session, webhook_id, caller, lock=True)
    if expected_version is not None and sub.version != expected_version:
        raise PreconditionFailed(
            detail=f"webhook is at version {sub.version}, not {expected_version}"
        )
    given = change.model_fields_set
    if "url" in given and change.url is not None:
        await _checked(change.url, allow)
    values: dict[str, Any] = {name: getattr(change, name) for name in _FIELDS if name in given}
    if "sentiment" in given:
        values["sentiment"] = change.sentiment.value if change.sentiment else None
    changed = {k: v for k, v in values.items() if getattr(sub, k) != v}
    for name, value in changed.items():
        setattr(sub, name, value)
    if changed:
        sub.version += 1
        await session.flush()
    return _record(sub)


async def delete_subscription(
    session: AsyncSession,
    webhook_id: str,
    *,
    expected_version: int | None = None,
    caller: KeyRecord,
) -> None:
    sub = await _get(session, webhook_id, caller, lock=True)
    if expected_version is not None and sub.version != expected_version:
        raise PreconditionFailed(
            detail=f"webhook is at version {sub.version}, not {expected_version}"
        )
    await session.delete(sub)  # its deliveries go with it (ON DELETE CASCADE)
    await session.flush()


async def list_deliveries(
    session: AsyncSession, webhook_id: str, *, cursor: str | None, limit: int, caller: KeyRecord
) -> tuple[list[DeliveryRecord], str | None]:
    """A subscription's deliveries, newest first (ids are time-ordered), and the next cursor."""
    if not 1 <= limit <= MAX_DELIVERIES_PAGE:
        raise ValueError(f"limit must be within 1..{MAX_DELIVERIES_PAGE}")
    await _get(session, webhook_id, caller)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook_id)
    if cursor is not None:
        (before,) = decode_cursor(cursor, _CURSOR_KIND, [str])
        stmt = stmt.where(WebhookDelivery.id < before)
    stmt = stmt.order_by(WebhookDelivery.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(stmt)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(_CURSOR_KIND, [rows[-1].id]) if more else None
    return [delivery_record(r) for r in rows], next_cursor


async def redeliver(
    session: AsyncSession, webhook_id: str, delivery_id: str, *, caller: KeyRecord
) -> DeliveryRecord:
    """Queue a delivery again now, with the same ``webhook-id`` and a fresh attempt budget."""
    stmt = _owned_by(
        select(WebhookDelivery).join(
            WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
        ),
        caller,
    )
    stmt = stmt.where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == webhook_id
    ).with_for_update(of=WebhookDelivery)
    row = (await session.scalars(stmt)).first()
    if row is None:
        raise NotFound(detail=f"no delivery {delivery_id!r} for webhook {webhook_id!r}")
    if row.status != "delivering":  # one in flight will be recorded by its worker
        row.status = "pending"
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.lease_owner = None
        await session.flush()
    return delivery_record(row)
