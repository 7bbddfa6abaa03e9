"""SQLite's statement timeout: a progress handler interrupts a statement past its budget.

PostgreSQL enforces ``statement_timeout`` itself; SQLite has no such setting, so each
connection gets a progress handler (called every few thousand VM steps, in the driver's
thread) that aborts the running statement once its deadline has passed. SQLite then
raises "interrupted", which ``api.edge.faults`` turns into a 503.
"""

from __future__ import annotations

import math
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.util import await_

# VM instructions between two checks: cheap (well under a millisecond of work apart).
CHECK_EVERY = 10_000
DEADLINE = "broadsheet_statement_deadline"


def install_statement_budget(sync_engine: Engine, budget_ms: int) -> None:
    """Interrupt any statement on this (aiosqlite) engine running longer than ``budget_ms``."""
    if budget_ms <= 0:
        return
    budget = budget_ms / 1000

    @event.listens_for(sync_engine, "connect")
    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        deadline = record.info.setdefault(DEADLINE, [math.inf])

        def guard() -> int:
            return 1 if time.monotonic() > deadline[0] else 0

        # The aiosqlite adapter wraps the driver's connection; register on its own thread.
        await_(record.driver_connection.set_progress_handler(guard, CHECK_EVERY))

    @event.listens_for(sync_engine, "before_cursor_execute")
    def start(conn: Any, *_args: Any) -> None:
        deadline = conn.info.get(DEADLINE)
        if deadline is not None:
            deadline[0] = time.monotonic() + budget

    @event.listens_for(sync_engine, "after_cursor_execute")
    def stop(conn: Any, *_args: Any) -> None:
        # COMMIT and ROLLBACK bypass the cursor events: they must not inherit a deadline.
        deadline = conn.info.get(DEADLINE)
        if deadline is not None:
            deadline[0] = math.inf
