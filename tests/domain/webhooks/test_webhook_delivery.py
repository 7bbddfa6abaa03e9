"""Webhook outbox and worker: matching, signatures, retries, leases, concurrency, SSRF."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, update

from api.db.database import Database
from api.domain.access import KeyRecord
from api.domain.articles import writes as article_writes
from api.domain.articles.inputs import ArticleCreate, ArticleUpdate
from api.domain.webhooks import subscriptions as webhooks
from api.domain.webhooks.inputs import WebhookCreate
from api.domain.webhooks.targets import TargetRefused, check_target
from api.domain.webhooks.worker import WebhookWorker
from api.errors import InvalidInput
from api.models import KeyScope
from api.models.base import utcnow
from api.models.webhooks import WebhookDelivery
from api.settings import Settings
from tests.fixtures.databases import THROUGH_POOLER
from tests.fixtures.webhook_receiver import receiver, verify

# Also through PgBouncer in transaction mode (tests/fixtures/pgbouncer.py).
pytestmark = [pytest.mark.anyio, THROUGH_POOLER]
LOOPBACK = ["127.0.0.1"]
ADMIN = KeyRecord("adminkey0000", "admin", KeyScope.ADMIN, utcnow(), None)


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "webhook_allowed_hosts": LOOPBACK,
            "webhook_backoff_base_seconds": 0.0,
            "webhook_backoff_max_seconds": 0.0,
            "webhook_max_attempts": 5,
            "webhook_timeout_seconds": 5.0,
        }
    )


def article(n: int, **overrides: Any) -> ArticleCreate:
    data = {
        "url": f"https://news.example/{n}",
        "title": f"Story {n}",
        "source": {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"},
        "published_at": "2026-05-01T12:00:00Z",
        "importance": 5,
        "summary": "A summary.",
        "category": {"slug": "markets", "name": "Markets"},
        "sentiment": "neutral",
        "mentions": [
            {"entity": {"slug": "acme", "name": "Acme", "type": "company"}, "salience": 0.9}
        ],
    } | overrides
    return ArticleCreate.model_validate(data)


async def subscribe(database: Database, url: str, **filters: Any) -> webhooks.WebhookRecord:
    async with database.session(write=True) as session:
        return await webhooks.create_subscription(
            session,
            WebhookCreate.model_validate({"url": url, **filters}),
            allow=LOOPBACK,
            caller=ADMIN,
        )


async def write(database: Database, *items: ArticleCreate) -> list[str]:
    async with database.session(write=True) as session:
        return [(await article_writes.create_article(session, i)).public_id for i in items]


async def drain(worker: WebhookWorker, rounds: int = 10) -> None:
    """Run delivery rounds until nothing is due (bounded)."""
    for _ in range(rounds):
        if await worker.run_once() == 0:
            return


async def outbox(database: Database) -> list[WebhookDelivery]:
    async with database.session() as session:
        return list((await session.scalars(select(WebhookDelivery))).all())


async def test_a_receiver_gets_exactly_the_matching_events_signed(
    database: Database, hook_settings: Settings
) -> None:
    with receiver() as hook:
        everything = await subscribe(database, hook.url)
        narrow = await subscribe(
            database,
            hook.url,
            event_types=["article.created", "article.deleted"],
            category="markets",
            entity="acme",
            sentiment="bullish",
            importance_min=7,
        )
        match = article(1, sentiment="bullish", importance=8)
        too_dull = article(2, sentiment="bullish", importance=6)
        wrong_mood = article(3, sentiment="bearish", importance=9)
        no_entity = article(4, sentiment="bullish", importance=9, mentions=[])
        other_category = article(
            5, sentiment="bullish", importance=9, category={"slug": "tech", "name": "Tech"}
        )
        ids = await write(database, match, too_dull, wrong_mood, no_entity, other_category)
        async with database.session(write=True) as session:  # an update: narrow ignores it
            await article_writes.change_article(
                session, ids[0], ArticleUpdate(title="New title"), expected_version=None
            )
        async with database.session(write=True) as session:
            await article_writes.delete_article(session, ids[0], expected_version=None)
        worker = WebhookWorker(database, hook_settings)
        try:
            await drain(worker)
        finally:
            await worker.aclose()

    got = hook.accepted()
    secrets = {everything.id: everything.secret, narrow.id: narrow.secret}
    by_sub: dict[str, list[tuple[str, str]]] = {everything.id: [], narrow.id: []}
    rows = {row.id: row for row in await outbox(database)}
    for message in got:
        sub_id = rows[message.id].subscription_id
        secret = secrets[sub_id]
        assert secret is not None
        assert verify(secret, message.headers, message.body)
        assert not verify(
            secrets[({*secrets} - {sub_id}).pop()] or "", message.headers, message.body
        )
        by_sub[sub_id].append((message.event["type"], message.event["data"]["id"]))
    assert sorted(by_sub[narrow.id]) == sorted(
        [("article.created", ids[0]), ("article.deleted", ids[0])]
    )
    expected_all = [("article.created", i) for i in ids]
    expected_all += [("article.updated", ids[0]), ("article.deleted", ids[0])]
    assert sorted(by_sub[everything.id]) == sorted(expected_all)
    assert len({m.id for m in got}) == len(got)
    deleted = next(m.event for m in got if m.event["type"] == "article.deleted")
    assert deleted["data"]["title"] == "New title"  # the snapshot taken before the delete
    assert deleted["data"]["entities"] == ["acme"]
    assert {row.status for row in rows.values()} == {"succeeded"}


async def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt_once(
    database: Database, hook_settings: Settings
) -> None:
    with receiver(fail_first=2) as hook:
        sub = await subscribe(database, hook.url)
        await write(database, article(1))
        worker = WebhookWorker(database, hook_settings)
        try:
            await drain(worker)
        finally:
            await worker.aclose()
    assert len(hook.accepted()) == 1
    (message_id,) = hook.requests
    assert hook.requests[message_id] == 3
    (row,) = await outbox(database)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "succeeded",
        3,
        204,
        None,
    )
    async with database.session() as session:
        log, _ = await webhooks.list_deliveries(
            session, sub.id, cursor=None, limit=10, caller=ADMIN
        )
    assert [(d.status, d.attempts) for d in log] == [("succeeded", 3)]


async def test_attempts_stop_at_the_limit_and_manual_redelivery_sends_again(
    database: Database, hook_settings: Settings
) -> None:
    limited = hook_settings.model_copy(update={"webhook_max_attempts": 2})
    with receiver(fail_first=2) as hook:
        sub = await subscribe(database, hook.url)
        await write(database, article(1))
        worker = WebhookWorker(database, limited)
        try:
            await drain(worker)
            (row,) = await outbox(database)
            assert (row.status, row.attempts, row.last_status_code) == ("dead", 2, 500)
            assert row.last_error == "HTTP 500"
            assert hook.accepted() == []
            async with database.session(write=True) as session:
                record = await webhooks.redeliver(session, sub.id, row.id, caller=ADMIN)
            assert record.status == "pending"
            await drain(worker)
        finally:
            await worker.aclose()
    assert [m.id for m in hook.accepted()] == [row.id]  # the same webhook-id as before
    (row,) = await outbox(database)
    assert row.status == "succeeded"


async def test_two_workers_deliver_each_event_exactly_once(
    database: Database, hook_settings: Settings
) -> None:
    small_batches = hook_settings.model_copy(update={"webhook_batch_size": 3})
    with receiver() as hook:
        await subscribe(database, hook.url)
        await subscribe(database, hook.url, event_types=["article.created"])
        await write(database, *(article(n) for n in range(12)))
        first = WebhookWorker(database, small_batches, worker_id="one")
        second = WebhookWorker(database, small_batches, worker_id="two")
        try:
            for _ in range(20):
                done = await asyncio.gather(first.run_once(), second.run_once())
                if sum(done) == 0:
                    break
        finally:
            await first.aclose()
            await second.aclose()
    got = hook.accepted()
    assert len(got) == 24
    assert len({m.id for m in got}) == 24
    assert sum(hook.requests.values()) == 24


async def test_a_killed_workers_claims_are_delivered_later_once(
    database: Database, hook_settings: Settings
) -> None:
    with receiver() as hook:
        await subscribe(database, hook.url)
        await write(database, article(1), article(2))
        doomed = WebhookWorker(database, hook_settings, worker_id="doomed")
        survivor = WebhookWorker(database, hook_settings, worker_id="survivor")
        try:
            claims = await doomed.claim()  # then "dies": never sends, never records
            assert len(claims) == 2
            assert await survivor.run_once() == 0  # leased: not someone else's yet
            async with database.session(write=True) as session:  # the lease runs out
                await session.execute(
                    update(WebhookDelivery).values(
                        next_attempt_at=utcnow() - dt.timedelta(seconds=1)
                    )
                )
            await drain(survivor)
            # The dead worker's late bookkeeping must not undo the survivor's.
            await doomed.record(claims[0], await doomed.attempt(claims[0]))
        finally:
            await doomed.aclose()
            await survivor.aclose()
    ids = [m.id for m in hook.accepted()]
    assert sorted(set(ids)) == sorted(c.id for c in claims)
    rows = await outbox(database)
    assert {(r.status, r.lease_owner) for r in rows} == {("succeeded", None)}
    # The late attempt reached the receiver with the same id: it dedupes on webhook-id.
    assert len(ids) == 3 and len(set(ids)) == 2


async def test_a_rolled_back_write_leaves_no_outbox_row(
    database: Database, hook_settings: Settings
) -> None:
    await subscribe(database, "http://127.0.0.1:9/hook")

    async def crash_before_commit() -> None:
        async with database.session(write=True) as session:
            await article_writes.create_article(session, article(1))
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        await crash_before_commit()
    assert await outbox(database) == []
    await write(database, article(2))
    assert len(await outbox(database)) == 1


async def test_no_subscription_no_rows_and_inactive_ones_are_skipped(database: Database) -> None:
    await write(database, article(1))
    await subscribe(database, "http://127.0.0.1:9/hook", active=False)
    await write(database, article(2))
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
        "http://0.0.0.0/hook",
        "http://192.168.1.10/hook",
        "ftp://93.184.215.14/hook",
    ],
)
async def test_ssrf_targets_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        await check_target(url, [])


async def test_the_allow_list_admits_hosts_addresses_and_ranges() -> None:
    await check_target("http://127.0.0.1:8080/hook", ["127.0.0.1"])
    await check_target("http://10.1.2.3/hook", ["10.0.0.0/8"])
    await check_target("http://localhost/hook", ["localhost"])
    await check_target("http://93.184.215.14/hook", [])  # a public address needs nothing
    with pytest.raises(TargetRefused):
        await check_target("http://10.1.2.3/hook", ["127.0.0.1"])


async def test_a_refused_target_is_refused_at_create_and_at_delivery(
    database: Database, settings: Settings
) -> None:
    async with database.session(write=True) as session:
        with pytest.raises(InvalidInput) as refused:
            await webhooks.create_subscription(
                session, WebhookCreate(url="http://169.254.169.254/x"), allow=[], caller=ADMIN
            )
    assert refused.value.invalid_params[0].name == "url"
    await subscribe(database, "http://127.0.0.1:9/hook")  # allowed when created...
    await write(database, article(1))
    worker = WebhookWorker(database, settings)  # ...but not by this worker's settings
    try:
        assert await worker.run_once() == 1
    finally:
        await worker.aclose()
    (row,) = await outbox(database)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error is not None and row.last_error.startswith("target refused")
