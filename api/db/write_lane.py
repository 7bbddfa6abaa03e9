"""At most a few writing transactions at once per process; more wait in a bounded queue.

A write's Python work (validation, the unit of work, building results) runs on the event
loop that also serves reads. Eight clients pushing batches at once made eight such
writers take turns with every read, and feed reads waited seconds behind them. SQLite
takes one writer at a time anyway (the others spin on the busy lock), and a PostgreSQL
worker gains little from more concurrent writers than it has cores; so writing
transactions pass through this lane, first come first served, and the reads in between
never queue behind more than ``concurrency`` writes. A writer that finds the queue full
is refused at once (503 + Retry-After): a clear answer rather than a silent stall.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.errors import ServiceUnavailable


class WriteLane:
    def __init__(self, concurrency: int, queue_limit: int) -> None:
        if concurrency < 1 or queue_limit < 0:
            raise ValueError("a write lane needs at least one slot and a queue limit >= 0")
        self.concurrency = concurrency
        self.queue_limit = queue_limit
        self.running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the lane's slots for the body; waits its turn, or 503 if full."""
        if self.running < self.concurrency and not self._waiting:
            self.running += 1
        else:
            await self._wait_turn()
        try:
            yield
        finally:
            self._release()

    async def _wait_turn(self) -> None:
        if len(self._waiting) >= self.queue_limit:
            raise ServiceUnavailable(
                detail=f"{len(self._waiting)} writes are already waiting on this worker; "
                "retry shortly"
            )
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn  # the releasing writer counted us in before waking us
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._release()  # woken and cancelled at once: pass the slot on
            elif turn in self._waiting:
                self._waiting.remove(turn)
            raise

    def _release(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes straight to the next writer
                return
        self.running -= 1
