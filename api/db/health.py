"""Readiness: the database answers and its schema is at the migration head."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.util import greenlet_spawn

from api.db import migrate
from api.db.database import fetch_rows


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    reachable: bool
    at_head: bool


async def database_status(session: AsyncSession) -> DatabaseStatus:
    await fetch_rows(session, text("SELECT 1"))

    def check() -> bool:
        # The session's own connection, on either kind of session (pooled or loop).
        return migrate.is_at_head(session.sync_session.connection())

    return DatabaseStatus(reachable=True, at_head=await greenlet_spawn(check))
