"""What the outbox workers (webhook deliveries, cache purges) share: the leased claim, the
retry schedule with backoff, recording an attempt, and the polling loop.

Claims are one UPDATE over a ``FOR UPDATE SKIP LOCKED`` subquery on PostgreSQL (so workers
never take the same row) and the same UPDATE under SQLite's write lock (BEGIN IMMEDIATE).
A claim is a lease: the row's ``next_attempt_at`` moves to the lease's end, so the claims
of a worker that dies come due again and another worker sends them.

An outbox table has the columns ``id``, ``status`` (pending | delivering | ...),
``attempts``, ``next_attempt_at``, ``lease_owner``, ``last_status_code`` and ``last_error``.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import signal
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import Database
from api.models.base import utcnow

ClaimT = TypeVar("ClaimT")


@dataclass(frozen=True, slots=True)
class Attempt:
    ok: bool
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    backoff_base_seconds: float
    backoff_max_seconds: float
    lease_seconds: float
    poll_seconds: float
    batch_size: int


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(n-1))]."""
    ceiling = min(cap, base * 2 ** min(attempts - 1, 40))
    return random.uniform(0, ceiling)  # jitter, not cryptography


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def lease_due(
    session: AsyncSession,
    model: Any,
    *,
    worker_id: str,
    policy: RetryPolicy,
    returning: Sequence[Any],
    join: tuple[Any, Any] | None = None,
    where: Sequence[Any] = (),
) -> Sequence[Row[Any]]:
    """Mark up to a batch of due rows as this worker's until its lease ends; return them."""
    now = utcnow()
    due = select(model.id)
    if join is not None:
        due = due.join(*join)
    due = (
        due.where(model.status.in_(("pending", "delivering")), model.next_attempt_at <= now, *where)
        .order_by(model.next_attempt_at)
        .limit(policy.batch_size)
        .with_for_update(of=model, skip_locked=True)
    )
    lease_end = now + dt.timedelta(seconds=policy.lease_seconds)
    result = await session.execute(
        update(model)
        .where(model.id.in_(due.scalar_subquery()))
        .values(status="delivering", lease_owner=worker_id, next_attempt_at=lease_end)
        .returning(*returning)
        .execution_options(synchronize_session=False)
    )
    return result.all()


def due(model: Any) -> ColumnElement[bool]:
    """Rows a claim would take now (pending, or a lapsed lease)."""
    return and_(model.status.in_(("pending", "delivering")), model.next_attempt_at <= utcnow())


def after_attempt(attempts: int, outcome: Attempt, policy: RetryPolicy) -> dict[str, Any]:
    """The columns an attempt leaves (``attempts`` counts it): a failure is due again after
    a backoff, or ``dead`` once attempts run out; success is the caller's to record."""
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "lease_owner": None,
    }
    if outcome.ok:
        return values
    if attempts >= policy.max_attempts:
        return values | {"status": "dead"}
    delay = backoff_seconds(
        attempts, base=policy.backoff_base_seconds, cap=policy.backoff_max_seconds
    )
    return values | {"status": "pending", "next_attempt_at": utcnow() + dt.timedelta(seconds=delay)}


def still_leased(model: Any, row_id: Any, worker_id: str) -> tuple[Any, ...]:
    """The condition an attempt's record needs: the lease was not lost to another worker."""
    return (model.id == row_id, model.lease_owner == worker_id, model.status == "delivering")


class OutboxWorker(abc.ABC, Generic[ClaimT]):
    """Claims due rows in batches, sends them, records each attempt; subclasses say how."""

    name = "outbox"
    log = logging.getLogger("broadsheet.outbox")

    def __init__(self, database: Database, policy: RetryPolicy, worker_id: str | None) -> None:
        self.database = database
        self.policy = policy
        self.worker_id = worker_id or new_worker_id()

    async def aclose(self) -> None:
        """Release what the worker holds (its HTTP client)."""

    @abc.abstractmethod
    async def claim(self) -> list[ClaimT]:
        """Take up to a batch of due rows for this worker's lease."""

    @abc.abstractmethod
    async def send_all(self, claims: list[ClaimT]) -> None:
        """Attempt every claim and record each outcome."""

    async def any_due(self) -> bool:
        """Whether a claim could find work. A worker woken by commits answers this with a
        read: its own claims commit too, and would otherwise wake it again at once."""
        return True

    async def run_once(self) -> int:
        """Claim one batch and send it; the number of rows attempted."""
        claims = await self.claim()
        if claims:
            await self.send_all(claims)
        return len(claims)

    async def run(self, stop: asyncio.Event, *, wake_on_commit: bool = False) -> None:
        """Send until ``stop`` is set. Idle, poll every ``poll_seconds``; with
        ``wake_on_commit``, a commit in this process wakes the worker at once."""
        while not stop.is_set():
            token = self.database.commits.token()
            try:
                done = await self.run_once() if await self.any_due() else 0
            except Exception:  # a database hiccup must not end the worker
                self.log.exception("%s worker: round failed", self.name)
                done = 0
            if done == 0:
                waits = [asyncio.ensure_future(stop.wait())]
                if wake_on_commit:
                    waits.append(asyncio.ensure_future(token.wait()))
                try:
                    await asyncio.wait(
                        waits, timeout=self.policy.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for waiter in waits:
                        waiter.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await waiter


@contextlib.asynccontextmanager
async def in_background(
    worker: OutboxWorker[Any], *, grace_seconds: float, wake_on_commit: bool = False
) -> AsyncIterator[None]:
    """Run ``worker`` while the block runs (inside ``broadsheet serve``); on exit let an
    in-flight round finish for ``grace_seconds`` (if it hangs, its leases expire and other
    workers retry), then close it."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        worker.run(stop, wake_on_commit=wake_on_commit), name=f"{worker.name} worker"
    )
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, grace_seconds)
        await worker.aclose()


async def run_until_signalled(workers: Sequence[OutboxWorker[Any]]) -> None:
    """``broadsheet worker``: run these workers until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await asyncio.gather(*(worker.run(stop) for worker in workers))
    finally:
        for worker in workers:
            await worker.aclose()
