"""REST webhooks: subscriptions (secret shown once), SSRF refusals, the delivery log."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.db.database import Database
from api.domain.webhooks.worker import WebhookWorker
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.cursors import forge
from tests.fixtures.webhook_receiver import loopback_settings, receiver, verify
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(database_url: str) -> Settings:
    return loopback_settings(database_url)


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


async def test_create_shows_the_secret_once(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    body = {"url": "http://127.0.0.1:9/hook", "category": "ai", "importance_min": 6}
    created = await client.post("/v1/webhooks", json=body, headers=writer)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert hook["event_types"] == ["article.created", "article.updated", "article.deleted"]
    assert created.headers["location"] == f"/v1/webhooks/{hook['id']}"
    one = await client.get(f"/v1/webhooks/{hook['id']}", headers=writer)
    assert one.status_code == 200
    assert "secret" not in one.json()
    assert one.headers["cache-control"] == "no-store"
    listed = await client.get("/v1/webhooks", headers=writer)
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    assert hook["secret"] not in listed.text + one.text

    changed = await client.patch(
        f"/v1/webhooks/{hook['id']}",
        json={"category": None, "event_types": ["article.deleted"], "active": False},
        headers={**writer, "If-Match": one.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["category"] is None
    assert changed.json()["version"] == 2
    assert "secret" not in changed.json()
    stale = await client.patch(
        f"/v1/webhooks/{hook['id']}",
        json={"active": True},
        headers={**writer, "If-Match": one.headers["etag"]},
    )
    assert stale.status_code == 412
    gone = await client.delete(f"/v1/webhooks/{hook['id']}", headers=writer)
    assert gone.status_code == 204
    assert (await client.get(f"/v1/webhooks/{hook['id']}", headers=writer)).status_code == 404


async def test_subscriptions_need_a_write_key(
    client: httpx.AsyncClient, database: Database
) -> None:
    assert (await client.get("/v1/webhooks")).status_code == 401
    reader = await key_headers(database, KeyScope.READ)
    assert (await client.get("/v1/webhooks", headers=reader)).status_code == 403
    refused = await client.post("/v1/webhooks", json={"url": "https://a.example"}, headers=reader)
    assert refused.status_code == 403
    admin = await key_headers(database, KeyScope.ADMIN)
    assert (await client.get("/v1/webhooks", headers=admin)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://192.168.0.1:8080/hook",
        "http://127.0.0.2/hook",
        "http://[2002:7f00:1::]/",  # 6to4 of loopback
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
    ],
)
async def test_ssrf_targets_are_refused(
    client: httpx.AsyncClient, writer: dict[str, str], url: str
) -> None:
    refused = await client.post("/v1/webhooks", json={"url": url}, headers=writer)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["invalid_params"][0]["name"] == "url"
    assert (await client.get("/v1/webhooks", headers=writer)).json()["items"] == []


async def test_loopback_is_refused_without_the_allow_list(
    database: Database, database_url: str
) -> None:
    headers = await key_headers(database)
    strict = create_app(Settings(database_url=database_url))
    transport = httpx.ASGITransport(app=strict)
    async with (
        strict.router.lifespan_context(strict),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        body = {"url": "http://127.0.0.1:9/hook"}
        refused = await http.post("/v1/webhooks", json=body, headers=headers)
    assert refused.status_code == 422, refused.text


async def test_deliveries_are_logged_paged_and_redelivered(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    settings: Settings,
    writer: dict[str, str],
) -> None:
    with receiver(fail_first=1) as hook:
        created = await client.post("/v1/webhooks", json={"url": hook.url}, headers=writer)
        sub = created.json()
        for n in range(3):
            article = payload(url=f"https://news.example/{n}")
            assert (await client.post("/v1/articles", json=article, headers=writer)).is_success
        worker = WebhookWorker(database, settings.model_copy(update={"webhook_max_attempts": 1}))
        try:
            assert await worker.run_once() == 3  # each fails once: dead at a limit of one
            page = await client.get(f"/v1/webhooks/{sub['id']}/deliveries?limit=2", headers=writer)
            assert page.status_code == 200, page.text
            first = page.json()
            assert [d["status"] for d in first["items"]] == ["dead", "dead"]
            assert first["items"][0]["last_status_code"] == 500
            rest = await client.get(
                f"/v1/webhooks/{sub['id']}/deliveries",
                params={"limit": 2, "cursor": first["next_cursor"]},
                headers=writer,
            )
            assert rest.json()["next_cursor"] is None
            items = first["items"] + rest.json()["items"]
            assert len({d["id"] for d in items}) == 3
            target = items[0]["id"]
            again = await client.post(
                f"/v1/webhooks/{sub['id']}/deliveries/{target}:redeliver", headers=writer
            )
            assert again.status_code == 200, again.text
            assert again.json()["status"] == "pending"
            assert await worker.run_once() == 1
        finally:
            await worker.aclose()
    (got,) = hook.accepted()
    assert got.id == target
    assert verify(sub["secret"], got.headers, got.body)
    assert got.event["type"] == "article.created"
    missing = await client.post(
        f"/v1/webhooks/{sub['id']}/deliveries/0196f0c2-9b1d-7e42-8a5c-3d2e1f0a9b8c:redeliver",
        headers=writer,
    )
    assert missing.status_code == 404


async def test_a_tampered_deliveries_cursor_is_a_400(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=writer
    )
    deliveries = f"/v1/webhooks/{created.json()['id']}/deliveries"
    for cursor in [forge("webhook-deliveries", "0196\x00"), forge("webhook-deliveries", 2**63)]:
        response = await client.get(deliveries, params={"cursor": cursor}, headers=writer)
        assert response.status_code == 400, response.text
        assert [p["name"] for p in response.json()["invalid_params"]] == ["cursor"]


async def test_the_app_runs_a_worker_in_its_lifespan_and_stops_it(
    database: Database, settings: Settings
) -> None:
    headers = await key_headers(database)
    live = create_app(
        settings.model_copy(update={"webhook_worker": True, "webhook_poll_seconds": 0.05})
    )
    with receiver() as hook:
        async with live.router.lifespan_context(live):
            transport = httpx.ASGITransport(app=live)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                created = await c.post("/v1/webhooks", json={"url": hook.url}, headers=headers)
                assert created.status_code == 201
                article = await c.post("/v1/articles", json=payload(), headers=headers)
                assert article.status_code == 201
                for _ in range(200):  # bounded: at most ~10 s
                    if hook.accepted():
                        break
                    await asyncio.sleep(0.05)
        # The lifespan has ended: the worker task is gone, nothing more arrives.
    (got,) = hook.accepted()
    assert got.event["data"]["id"] == article.json()["id"]
    assert verify(created.json()["secret"], got.headers, got.body)
