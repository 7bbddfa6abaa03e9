"""``broadsheet worker``: delivers from the outbox as its own process, stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from api.db.database import Database
from api.domain.access import KeyRecord
from api.domain.articles import writes as article_writes
from api.domain.articles.inputs import ArticleCreate
from api.domain.webhooks import subscriptions as webhooks
from api.domain.webhooks.inputs import WebhookCreate
from api.models import KeyScope
from api.models.base import utcnow
from tests.fixtures.webhook_receiver import receiver, verify

pytestmark = pytest.mark.anyio


async def test_the_standalone_worker_delivers_and_stops_cleanly(
    database: Database, database_url: str
) -> None:
    with receiver() as hook:
        async with database.session(write=True) as session:
            admin = KeyRecord("adminkey0000", "admin", KeyScope.ADMIN, utcnow(), None)
            sub = await webhooks.create_subscription(
                session, WebhookCreate(url=hook.url), allow=["127.0.0.1"], caller=admin
            )
            item = {
                "url": "https://news.example/1",
                "title": "Story",
                "source": {"slug": "wire", "name": "Wire", "homepage_url": "https://w.example"},
                "published_at": "2026-05-01T12:00:00Z",
                "importance": 5,
                "summary": "A summary.",
            }
            await article_writes.create_article(session, ArticleCreate.model_validate(item))
        env = os.environ | {
            "DATABASE_URL": database_url,
            "BROADSHEET_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
            "BROADSHEET_WEBHOOK_POLL_SECONDS": "0.05",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from api.cli.commands import main; main()", "worker", env=env
        )
        try:
            for _ in range(600):  # bounded: at most ~30 s for the process to start and send
                if hook.accepted():
                    break
                await asyncio.sleep(0.05)
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
    (got,) = hook.accepted()
    assert sub.secret is not None
    assert verify(sub.secret, got.headers, got.body)
