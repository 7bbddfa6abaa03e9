"""Readiness: the database answers and its schema is at the migration head."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession

from api import migrate


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    reachable: bool
    at_head: bool


async def database_status(session: AsyncSession) -> DatabaseStatus:
    await session.execute(text("SELECT 1"))

    def check(connection: Connection) -> bool:
        return migrate.is_at_head(connection)

    connection = await session.connection()
    return DatabaseStatus(reachable=True, at_head=await connection.run_sync(check))
