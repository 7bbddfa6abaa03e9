"""The purge worker: claims due purges, sends each cache endpoint's keys together, and
deletes what was sent (a failure comes due again after a backoff, as a webhook does).

It runs inside ``broadsheet serve`` (woken by the process's own commits, so a purge
leaves within milliseconds of the write) or in ``broadsheet worker``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from sqlalchemy import delete, select, update

from api.db.database import Database
from api.domain.purges.sender import new_client, send_purge
from api.domain.shared.outbox_worker import (
    Attempt,
    OutboxWorker,
    RetryPolicy,
    after_attempt,
    due,
    in_background,
    lease_due,
    still_leased,
)
from api.models.purges import CachePurge
from api.settings import Settings

log = logging.getLogger("broadsheet.purges")


@dataclass(frozen=True, slots=True)
class PurgeClaim:
    id: str
    target: str
    keys: list[str]
    attempts: int


def purge_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.cache_purge_max_attempts,
        backoff_base_seconds=settings.cache_purge_backoff_base_seconds,
        backoff_max_seconds=settings.cache_purge_backoff_max_seconds,
        lease_seconds=max(30.0, settings.cache_purge_timeout_seconds * 4),
        poll_seconds=settings.cache_purge_poll_seconds,
        batch_size=settings.cache_purge_batch_size,
    )


class PurgeWorker(OutboxWorker[PurgeClaim]):
    name = "cache purge"
    log = log

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        worker_id: str | None = None,
    ) -> None:
        super().__init__(database, purge_policy(settings), worker_id)
        self.settings = settings
        self.client = client or new_client()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def any_due(self) -> bool:
        async with self.database.session() as session:
            found = await session.scalar(select(CachePurge.id).where(due(CachePurge)).limit(1))
        return found is not None

    async def claim(self) -> list[PurgeClaim]:
        async with self.database.session(write=True) as session:
            rows = await lease_due(
                session,
                CachePurge,
                worker_id=self.worker_id,
                policy=self.policy,
                returning=(
                    CachePurge.id,
                    CachePurge.target,
                    CachePurge.keys,
                    CachePurge.attempts,
                ),
            )
        return [PurgeClaim(r.id, r.target, list(r.keys), r.attempts) for r in rows]

    async def send_all(self, claims: list[PurgeClaim]) -> None:
        """One purge per endpoint for the whole batch: a burst of writes coalesces."""
        by_target: dict[str, list[PurgeClaim]] = {}
        for claim in claims:
            by_target.setdefault(claim.target, []).append(claim)
        await asyncio.gather(*(self._purge(t, group) for t, group in by_target.items()))

    async def _purge(self, target: str, claims: list[PurgeClaim]) -> None:
        keys = list(dict.fromkeys(key for claim in claims for key in claim.keys))
        outcome = await send_purge(
            self.client,
            url=target,
            keys=keys,
            method=self.settings.cache_purge_method,
            header=self.settings.cache_purge_header,
            timeout_seconds=self.settings.cache_purge_timeout_seconds,
        )
        if not outcome.ok:
            log.warning("cache purge to %s failed: %s", target, outcome.error)
        await self.record(claims, outcome)

    async def record(self, claims: list[PurgeClaim], outcome: Attempt) -> None:
        """Delete the sent rows, or schedule each again; rows whose lease another worker
        took meanwhile are left to it."""
        async with self.database.session(write=True) as session:
            if outcome.ok:
                await session.execute(
                    delete(CachePurge)
                    .where(
                        CachePurge.id.in_([c.id for c in claims]),
                        CachePurge.lease_owner == self.worker_id,
                        CachePurge.status == "delivering",
                    )
                    .execution_options(synchronize_session=False)
                )
                return
            for claim in claims:
                await session.execute(
                    update(CachePurge)
                    .where(*still_leased(CachePurge, claim.id, self.worker_id))
                    .values(**after_attempt(claim.attempts + 1, outcome, self.policy))
                    .execution_options(synchronize_session=False)
                )


@contextlib.asynccontextmanager
async def running(database: Database, settings: Settings) -> AsyncIterator[None]:
    """Run a purge worker in the background while the block runs: with cache endpoints
    configured and the in-process workers on (``webhook_worker``)."""
    if not (settings.webhook_worker and settings.cache_purge_urls):
        yield
        return
    worker = PurgeWorker(database, settings)
    grace = settings.cache_purge_timeout_seconds + 5
    async with in_background(worker, grace_seconds=grace, wake_on_commit=True):
        yield
