"""The engine under cancellation: a query cut off mid-flight leaves nothing behind.

A request cancelled during a statement (deadline, client gone, stream closed) makes
SQLAlchemy invalidate that connection. Its stock aiosqlite path starts a shielded
"graceful" close and, when cancellation arrives again, also force-stops the connection's
thread; the graceful close then waits for that dead thread for ever, and the event loop
can never finish its tasks (seen as a hung test run, and it would hang a worker's exit).
"""

from __future__ import annotations

import asyncio

import anyio
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import Database

pytestmark = pytest.mark.anyio
# A statement that runs for a while on either database: long enough to be cut off.
SLOW = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
    " SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(0.5)",
}


async def _leftover_tasks() -> list[asyncio.Task[object]]:
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me and not t.done()]


async def test_a_cancelled_statement_leaves_no_task_behind(database: Database) -> None:
    before = set(await _leftover_tasks())
    for delay in (0.01, 0.02, 0.05, 0.1):
        # The cut-off connection's replacement is opened here, outside the scope: what is
        # cut off is a statement. A connect cut off during asyncpg's SSL negotiation
        # leaves a "connection_lost" error in a future nobody reads (asyncpg 0.32's
        # TLSUpgradeProto), which failed this test in one CI run (2026-11-28).
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
        # anyio cancels again and again until the scope exits, as Starlette's task groups do.
        with anyio.move_on_after(delay):
            async with database.session() as session:
                await session.execute(text(SLOW[database.backend]))
    stray = [t for t in await _leftover_tasks() if t not in before]
    if stray:  # a close still finishing is fine; one that never finishes is the bug
        _, pending = await asyncio.wait(stray, timeout=5)
        assert not pending
    # The pool still serves: the cut-off connections were replaced.
    async with database.session() as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_postgresql_reads_hold_no_transaction(database: Database) -> None:
    """Reads are autocommitted on PostgreSQL: no BEGIN/ROLLBACK round trips, and under READ
    COMMITTED each statement had its own snapshot anyway. Writes keep their transaction."""
    if database.backend != "postgresql":
        pytest.skip("SQLite reads run in the loop's or the pool's transactions")

    async def begun_apart(session: AsyncSession) -> bool:
        # now() is when the statement's transaction began: equal inside one transaction.
        first = (await session.execute(text("SELECT now()"))).scalar_one()
        await session.execute(text("SELECT pg_sleep(0.01)"))
        return bool((await session.execute(text("SELECT now()"))).scalar_one() > first)

    async with database.session() as session:
        assert await begun_apart(session)
    async with database.session(write=True) as session:
        assert not await begun_apart(session)
