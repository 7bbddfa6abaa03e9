"""Subscriptions belong to the key that made them; admin keys reach all, and the ownerless."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from api.db.database import Database
from api.domain.access import KeyRecord
from api.domain.articles import writes as article_writes
from api.domain.articles.inputs import ArticleCreate
from api.domain.webhooks import subscriptions as webhooks
from api.domain.webhooks.inputs import WebhookCreate, WebhookUpdate
from api.errors import Forbidden, NotFound
from api.models import KeyScope
from api.models.base import utcnow
from api.models.webhooks import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.anyio
LOOPBACK = ["127.0.0.1"]
URL = "http://127.0.0.1:9/hook"


def key(key_id: str, scope: KeyScope = KeyScope.WRITE) -> KeyRecord:
    return KeyRecord(key_id, key_id, scope, utcnow(), None)


OWNER, OTHER, ADMIN = key("ownerkey0000"), key("otherkey0000"), key("adminkey0000", KeyScope.ADMIN)


async def setup(database: Database) -> dict[str, tuple[str, str]]:
    """The owner's subscription and one made before owners were kept, each with a delivery."""
    async with database.session(write=True) as session:
        mine = await webhooks.create_subscription(
            session, WebhookCreate(url=URL), allow=LOOPBACK, caller=OWNER
        )
        legacy = WebhookSubscription(
            url=URL, event_types=["article.created"], secret="whsec_x", active=True, version=1
        )
        session.add(legacy)
        item = {
            "url": "https://news.example/1",
            "title": "Story",
            "source": {"slug": "wire", "name": "Wire", "homepage_url": "https://w.example"},
            "published_at": "2026-05-01T12:00:00Z",
            "importance": 5,
            "summary": "A summary.",
        }
        await article_writes.create_article(session, ArticleCreate.model_validate(item))
        rows = await session.execute(select(WebhookDelivery.subscription_id, WebhookDelivery.id))
        deliveries: dict[str, str] = {sub: delivery for sub, delivery in rows.all()}
        return {
            "mine": (mine.id, deliveries[mine.id]),
            "legacy": (legacy.id, deliveries[legacy.id]),
        }


def calls(target: tuple[str, str]) -> dict[str, Callable[[Any, KeyRecord], Awaitable[Any]]]:
    """Every way to reach one subscription, by name."""
    sub, delivery = target
    return {
        "get": lambda s, k: webhooks.get_subscription(s, sub, caller=k),
        "update": lambda s, k: webhooks.update_subscription(
            s, sub, WebhookUpdate(active=False), allow=LOOPBACK, expected_version=None, caller=k
        ),
        "deliveries": lambda s, k: webhooks.list_deliveries(
            s, sub, cursor=None, limit=10, caller=k
        ),
        "redeliver": lambda s, k: webhooks.redeliver(s, sub, delivery, caller=k),
        "delete": lambda s, k: webhooks.delete_subscription(s, sub, caller=k),
    }


async def test_another_key_cannot_reach_a_subscription(database: Database) -> None:
    subs = await setup(database)
    mine = subs["mine"][0]
    async with database.session(write=True) as session:
        assert [r.id for r in await webhooks.list_subscriptions(session, caller=OWNER)] == [mine]
        assert await webhooks.list_subscriptions(session, caller=OTHER) == []
        for call in calls(subs["mine"]).values():
            with pytest.raises(NotFound):
                await call(session, OTHER)
        for call in calls(subs["legacy"]).values():  # no owner: admin keys only
            for who in (OWNER, OTHER):
                with pytest.raises(NotFound):
                    await call(session, who)
        stored = await session.get(WebhookSubscription, mine)
        assert stored is not None and stored.active and stored.version == 1
        assert stored.owner_key_id == OWNER.key_id


async def test_the_owner_and_an_admin_key_reach_it(database: Database) -> None:
    subs = await setup(database)
    (mine, _), (legacy, _) = subs["mine"], subs["legacy"]
    async with database.session(write=True) as session:
        listed = await webhooks.list_subscriptions(session, caller=ADMIN)
        assert sorted(r.id for r in listed) == sorted([mine, legacy])
        for who, target in ((OWNER, subs["mine"]), (ADMIN, subs["mine"]), (ADMIN, subs["legacy"])):
            for name, call in calls(target).items():
                if name != "delete":
                    await call(session, who)
        await webhooks.delete_subscription(session, mine, caller=OWNER)
        await webhooks.delete_subscription(session, legacy, caller=ADMIN)
        assert await webhooks.list_subscriptions(session, caller=ADMIN) == []


async def test_a_read_key_reaches_none(database: Database) -> None:
    mine = (await setup(database))["mine"][0]
    reader = key("readkey00000", KeyScope.READ)
    async with database.session(write=True) as session:
        with pytest.raises(Forbidden):
            await webhooks.list_subscriptions(session, caller=reader)
        with pytest.raises(Forbidden):
            await webhooks.get_subscription(session, mine, caller=reader)
        with pytest.raises(Forbidden):
            await webhooks.create_subscription(
                session, WebhookCreate(url=URL), allow=LOOPBACK, caller=reader
            )
