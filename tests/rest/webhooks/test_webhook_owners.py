"""REST: a subscription is its maker's (other keys get 404), an admin key's to manage too."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from api.db.database import Database
from api.models import KeyScope
from api.models.webhooks import WebhookDelivery, WebhookSubscription
from api.settings import Settings
from tests.fixtures.webhook_receiver import loopback_settings
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio
HOOK = {"url": "http://127.0.0.1:9/hook"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return loopback_settings(database_url)


async def delivery_of(database: Database, sub: str) -> str:
    async with database.session() as session:
        found = await session.scalar(
            select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == sub)
        )
    assert found is not None
    return found


async def attempts(
    client: httpx.AsyncClient, sub: str, delivery: str, headers: dict[str, str]
) -> list[int]:
    """The status of every operation on one subscription, the delete last."""
    item = f"/v1/webhooks/{sub}"
    answers = [
        await client.get(item, headers=headers),
        await client.patch(item, json={"active": False}, headers=headers),
        await client.get(f"{item}/deliveries", headers=headers),
        await client.post(f"{item}/deliveries/{delivery}:redeliver", headers=headers),
        await client.delete(item, headers=headers),
    ]
    return [a.status_code for a in answers]


async def test_another_write_key_finds_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    owner, other = await key_headers(database), await key_headers(database)
    created = await client.post("/v1/webhooks", json=HOOK, headers=owner)
    sub = created.json()["id"]
    assert (await client.post("/v1/articles", json=payload(), headers=owner)).status_code == 201
    delivery = await delivery_of(database, sub)

    assert (await client.get("/v1/webhooks", headers=other)).json()["items"] == []
    assert await attempts(client, sub, delivery, other) == [404] * 5
    missing = await client.get(f"/v1/webhooks/{sub}", headers=other)
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == f"no webhook subscription {sub!r}"  # as if none

    mine = await client.get("/v1/webhooks", headers=owner)
    assert [h["id"] for h in mine.json()["items"]] == [sub]
    assert (await client.get(f"/v1/webhooks/{sub}", headers=owner)).json()["active"] is True
    assert await attempts(client, sub, delivery, owner) == [200, 200, 200, 200, 204]


async def test_an_admin_key_manages_every_subscription(
    client: httpx.AsyncClient, database: Database
) -> None:
    owner, admin = await key_headers(database), await key_headers(database, KeyScope.ADMIN)
    sub = (await client.post("/v1/webhooks", json=HOOK, headers=owner)).json()["id"]
    async with database.session(write=True) as session:  # made before owners were recorded
        legacy = WebhookSubscription(
            url=HOOK["url"], event_types=["article.created"], secret="whsec_x", version=1
        )
        session.add(legacy)
        await session.flush()
        legacy_id = legacy.id
    assert (await client.post("/v1/articles", json=payload(), headers=owner)).status_code == 201

    listed = await client.get("/v1/webhooks", headers=admin)
    assert sorted(h["id"] for h in listed.json()["items"]) == sorted([sub, legacy_id])
    owned = (await client.get("/v1/webhooks", headers=owner)).json()["items"]
    assert [h["id"] for h in owned] == [sub]
    legacy_delivery = await delivery_of(database, legacy_id)
    assert await attempts(client, legacy_id, legacy_delivery, owner) == [404] * 5
    assert await attempts(client, legacy_id, legacy_delivery, admin) == [200, 200, 200, 200, 204]
    delivery = await delivery_of(database, sub)
    assert await attempts(client, sub, delivery, admin) == [200, 200, 200, 200, 204]
