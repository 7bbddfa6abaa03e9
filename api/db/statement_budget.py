"""SQLite's statement timeout: a progress handler interrupts a statement past its budget.

PostgreSQL enforces ``statement_timeout`` itself; SQLite has no such setting, so each
connection gets a progress handler (called every few thousand VM steps, in the driver's
thread) that aborts the running statement once its deadline has passed. SQLite then
raises "interrupted", which ``api.db.faults`` turns into a 503.

A statement also stops at its request's deadline (``request_deadline``, set by the
deadline middleware): a cancelled request must not leave SQLite's thread busy with work
nobody waits for (the connection could not even be closed until it ends).
"""

from __future__ import annotations

import inspect
import math
import time
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.util import await_

# VM instructions between two checks: cheap (well under a millisecond of work apart).
CHECK_EVERY = 10_000
DEADLINE = "broadsheet_statement_deadline"
# time.monotonic() by which the current request must be answered (inf outside requests).
request_deadline: ContextVar[float] = ContextVar("request_deadline", default=math.inf)


def install_statement_budget(sync_engine: Engine, budget_ms: int) -> None:
    """Interrupt any statement on this SQLite engine (aiosqlite or pysqlite) running longer

    than ``budget_ms`` (0: no budget of its own) or past its request's deadline.
    """
    budget = budget_ms / 1000 if budget_ms > 0 else math.inf

    @event.listens_for(sync_engine, "connect")
    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        deadline = record.info.setdefault(DEADLINE, [math.inf])

        def guard() -> int:
            return 1 if time.monotonic() > deadline[0] else 0

        registered = record.driver_connection.set_progress_handler(guard, CHECK_EVERY)
        if inspect.isawaitable(registered):  # aiosqlite: registered on its own thread
            await_(registered)

    @event.listens_for(sync_engine, "before_cursor_execute")
    def start(conn: Any, *_args: Any) -> None:
        deadline = conn.info.get(DEADLINE)
        if deadline is not None:
            deadline[0] = min(time.monotonic() + budget, request_deadline.get())

    @event.listens_for(sync_engine, "after_cursor_execute")
    def stop(conn: Any, *_args: Any) -> None:
        # COMMIT and ROLLBACK bypass the cursor events: they must not inherit a deadline.
        deadline = conn.info.get(DEADLINE)
        if deadline is not None:
            deadline[0] = math.inf
