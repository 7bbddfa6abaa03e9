"""The webhook outbox: one delivery row per matching subscription, in the write's transaction.

``enqueue`` runs inside ``finish_write``: a constant number of statements per write (the
active subscriptions, the changed articles, their entities, one bulk insert), whatever
the number of articles. A delete removes the article before ``finish_write``, so
``remember_deleted`` snapshots it first; the event still says what was deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Category, Entity, Mention, Source, Story, StoryMember
from api.models.base import utcnow
from api.models.ids import new_public_id
from api.models.webhooks import WebhookDelivery, WebhookSubscription

if TYPE_CHECKING:
    from api.domain.changes.log import ChangeEntry

_DELETED_KEY = "webhook_deleted_snapshots"
Snapshot = dict[str, Any]


async def _active(session: AsyncSession) -> list[WebhookSubscription]:
    stmt = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    return list((await session.scalars(stmt)).all())


async def _snapshots(session: AsyncSession, where: Any) -> dict[str, Snapshot]:
    stmt = (
        select(Article, Source.slug, Category.slug, Story.public_id)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
        .outerjoin(StoryMember, StoryMember.article_id == Article.id)
        .outerjoin(Story, Story.id == StoryMember.story_id)
        .where(where)
    )
    snaps: dict[str, Snapshot] = {}
    internal: dict[int, Snapshot] = {}
    for article, source, category, story in (await session.execute(stmt)).all():
        snap = {
            "id": article.public_id,
            "slug": article.slug,
            "title": article.title,
            "url": article.url,
            "version": article.version,
            "published_at": article.published_at.isoformat(),
            "source": source,
            "category": category,
            "sentiment": str(article.sentiment),
            "importance": article.importance,
            "entities": [],
            # Its story once the write has clustered it (same transaction); else null.
            "story_id": story,
        }
        snaps[article.public_id] = internal[article.id] = snap
    if internal:
        mentions = (
            select(Mention.article_id, Entity.slug)
            .join(Entity, Entity.id == Mention.entity_id)
            .where(Mention.article_id.in_(list(internal)))
            .order_by(Mention.article_id, Entity.slug)
        )
        for article_id, slug in (await session.execute(mentions)).all():
            internal[article_id]["entities"].append(slug)
    return snaps


async def remember_deleted(session: AsyncSession, article_ids: Sequence[int]) -> None:
    """Snapshot articles about to be deleted, for the events ``enqueue`` writes."""
    if not await _active(session):
        return
    snaps = await _snapshots(session, Article.id.in_(list(article_ids)))
    session.info.setdefault(_DELETED_KEY, {}).update(snaps)


def matches(sub: WebhookSubscription, event_type: str, snap: Snapshot | None) -> bool:
    if event_type not in sub.event_types:
        return False
    filtered = sub.entity, sub.category, sub.sentiment, sub.importance_min
    if snap is None:  # nothing known of the article: only an unfiltered subscription wants it
        return all(f is None for f in filtered)
    return (
        (sub.entity is None or sub.entity in snap["entities"])
        and (sub.category is None or sub.category == snap["category"])
        and (sub.sentiment is None or sub.sentiment == snap["sentiment"])
        and (sub.importance_min is None or snap["importance"] >= sub.importance_min)
    )


def event_payload(event_type: str, data: Snapshot, at: str) -> dict[str, Any]:
    payload: dict[str, Any] = stored_order({"type": event_type, "timestamp": at, "data": data})
    return payload


def stored_order(value: Any) -> Any:
    """``value`` with every object's keys in the order PostgreSQL's jsonb keeps them
    (shorter keys first, then by bytes): a payload then reads back, and is sent, as the
    same bytes from either database, and after a copy from one to the other."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: stored_order(value[key]) for key in keys}
    if isinstance(value, list):
        return [stored_order(item) for item in value]
    return value


async def enqueue(session: AsyncSession, entries: Iterable[ChangeEntry]) -> None:
    """Write the deliveries these changes owe; call from ``finish_write`` before commit."""
    deleted: dict[str, Snapshot] = session.info.pop(_DELETED_KEY, {})
    articles = [e for e in entries if e.resource == "article"]
    if not articles:
        return
    subs = await _active(session)
    if not subs:
        return
    live = [e.resource_id for e in articles if e.op != "deleted"]
    snaps = await _snapshots(session, Article.public_id.in_(live)) if live else {}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for entry in articles:
        event_type = f"article.{entry.op}"
        snap = (
            deleted.get(entry.resource_id)
            if entry.op == "deleted"
            else snaps.get(entry.resource_id)
        )
        data = dict(snap or {"id": entry.resource_id}) | {"version": entry.version}
        payload = event_payload(event_type, data, now.isoformat())
        rows.extend(
            {
                "id": new_public_id(),
                "subscription_id": sub.id,
                "event_type": event_type,
                "resource_id": entry.resource_id,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for sub in subs
            if matches(sub, event_type, snap)
        )
    if rows:
        await session.execute(insert(WebhookDelivery), rows)
