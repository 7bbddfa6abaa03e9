"""The webhook worker: claims due deliveries from the outbox, sends them, records each attempt.

The claim, the lease and the retry schedule are the outbox workers' shared machinery
(``api.domain.shared.outbox_worker``); this module says what a webhook delivery is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select, update

from api.db.database import Database
from api.domain.shared.outbox_worker import (
    OutboxWorker,
    RetryPolicy,
    after_attempt,
    in_background,
    lease_due,
    still_leased,
)
from api.domain.webhooks.delivery import Attempt, new_client, send
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


def webhook_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.webhook_max_attempts,
        backoff_base_seconds=settings.webhook_backoff_base_seconds,
        backoff_max_seconds=settings.webhook_backoff_max_seconds,
        lease_seconds=settings.webhook_lease_seconds,
        poll_seconds=settings.webhook_poll_seconds,
        batch_size=settings.webhook_batch_size,
    )


class WebhookWorker(OutboxWorker[Claim]):
    name = "webhook"
    log = log

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        worker_id: str | None = None,
    ) -> None:
        super().__init__(database, webhook_policy(settings), worker_id)
        self.settings = settings
        self.client = client or new_client()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def claim(self) -> list[Claim]:
        """Take up to a batch of due deliveries of active subscriptions."""
        async with self.database.session(write=True) as session:
            claimed = await lease_due(
                session,
                WebhookDelivery,
                worker_id=self.worker_id,
                policy=self.policy,
                returning=(
                    WebhookDelivery.id,
                    WebhookDelivery.subscription_id,
                    WebhookDelivery.payload,
                    WebhookDelivery.attempts,
                ),
                join=(
                    WebhookSubscription,
                    WebhookSubscription.id == WebhookDelivery.subscription_id,
                ),
                where=(WebhookSubscription.active.is_(True),),
            )
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
        values = after_attempt(claim.attempts + 1, outcome, self.policy)
        if outcome.ok:
            values |= {"status": "succeeded", "delivered_at": utcnow()}
        async with self.database.session(write=True) as session:
            await session.execute(
                update(WebhookDelivery)
                .where(*still_leased(WebhookDelivery, claim.id, self.worker_id))
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def _deliver(self, claim: Claim) -> None:
        await self.record(claim, await self.attempt(claim))

    async def send_all(self, claims: list[Claim]) -> None:
        await asyncio.gather(*(self._deliver(c) for c in claims))


@contextlib.asynccontextmanager
async def running(database: Database, settings: Settings) -> AsyncIterator[None]:
    """Run a worker in the background while the block runs (``webhook_worker`` setting)."""
    if not settings.webhook_worker:
        yield
        return
    worker = WebhookWorker(database, settings)
    async with in_background(worker, grace_seconds=settings.webhook_timeout_seconds + 5):
        yield
