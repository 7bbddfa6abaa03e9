"""The webhook worker: claims due deliveries from the outbox, sends them, records each attempt.

Claims are one UPDATE over a ``FOR UPDATE SKIP LOCKED`` subquery on PostgreSQL (so workers
never take the same row) and the same UPDATE under SQLite's write lock (BEGIN IMMEDIATE).
A claim is a lease: the row's ``next_attempt_at`` moves to the lease's end, so the claims
of a worker that dies come due again and another worker delivers them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select, update

from api.db.database import Database, create_async_db_engine
from api.domain.webhooks.delivery import Attempt, backoff_seconds, new_client, send
from api.models.base import utcnow
from api.models.webhooks import WebhookDelivery, WebhookSubscription
from api.settings import Settings

log = logging.getLogger("broadsheet.webhooks")


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    url: str
    secret: str
    payload: dict[str, Any]
    attempts: int


class WebhookWorker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.client = client or new_client()
        self.worker_id = (
            worker_id or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def claim(self) -> list[Claim]:
        """Take up to a batch of due deliveries for this worker's lease."""
        now = utcnow()
        lease_end = now + dt.timedelta(seconds=self.settings.webhook_lease_seconds)
        due = (
            select(WebhookDelivery.id)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(
                WebhookDelivery.status.in_(("pending", "delivering")),
                WebhookDelivery.next_attempt_at <= now,
                WebhookSubscription.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(self.settings.webhook_batch_size)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        async with self.database.session(write=True) as session:
            claimed = (
                await session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_(due.scalar_subquery()))
                    .values(
                        status="delivering", lease_owner=self.worker_id, next_attempt_at=lease_end
                    )
                    .returning(
                        WebhookDelivery.id,
                        WebhookDelivery.subscription_id,
                        WebhookDelivery.payload,
                        WebhookDelivery.attempts,
                    )
                    .execution_options(synchronize_session=False)
                )
            ).all()
            if not claimed:
                return []
            subs = await session.execute(
                select(
                    WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.secret
                ).where(WebhookSubscription.id.in_({row.subscription_id for row in claimed}))
            )
            targets = {sub_id: (url, secret) for sub_id, url, secret in subs.all()}
        return [
            Claim(row.id, *targets[row.subscription_id], row.payload, row.attempts)
            for row in claimed
            if row.subscription_id in targets
        ]

    async def attempt(self, claim: Claim) -> Attempt:
        return await send(
            self.client,
            url=claim.url,
            secret=claim.secret,
            message_id=claim.id,
            payload=claim.payload,
            allow=self.settings.webhook_allowed_hosts,
            timeout_seconds=self.settings.webhook_timeout_seconds,
        )

    async def record(self, claim: Claim, outcome: Attempt) -> None:
        """Write the attempt's result, unless the lease was lost to another worker meanwhile."""
        now = utcnow()
        attempts = claim.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "lease_owner": None,
        }
        if outcome.ok:
            values |= {"status": "succeeded", "delivered_at": now}
        elif attempts >= self.settings.webhook_max_attempts:
            values |= {"status": "dead"}
        else:
            delay = backoff_seconds(
                attempts,
                base=self.settings.webhook_backoff_base_seconds,
                cap=self.settings.webhook_backoff_max_seconds,
            )
            values |= {"status": "pending", "next_attempt_at": now + dt.timedelta(seconds=delay)}
        async with self.database.session(write=True) as session:
            await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == claim.id,
                    WebhookDelivery.lease_owner == self.worker_id,
                    WebhookDelivery.status == "delivering",
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def _deliver(self, claim: Claim) -> None:
        await self.record(claim, await self.attempt(claim))

    async def run_once(self) -> int:
        """Claim one batch and deliver it; the number of deliveries attempted."""
        claims = await self.claim()
        await asyncio.gather(*(self._deliver(c) for c in claims))
        return len(claims)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; an idle worker polls every ``webhook_poll_seconds``."""
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:  # a database hiccup must not end the worker
                log.exception("webhook worker: delivery round failed")
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.webhook_poll_seconds)


@contextlib.asynccontextmanager
async def running(database: Database, settings: Settings) -> AsyncIterator[None]:
    """Run a worker in the background while the block runs (``webhook_worker`` setting)."""
    if not settings.webhook_worker:
        yield
        return
    worker = WebhookWorker(database, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="webhook-worker")
    try:
        yield
    finally:
        stop.set()
        # Let an in-flight round finish; if it hangs, its leases expire and others retry.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, settings.webhook_timeout_seconds + 5)
        await worker.aclose()


async def run_standalone(settings: Settings) -> None:
    """``broadsheet worker``: deliver until SIGINT or SIGTERM."""
    database = Database(create_async_db_engine(settings))
    worker = WebhookWorker(database, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await worker.run(stop)
    finally:
        await worker.aclose()
        await database.dispose()
