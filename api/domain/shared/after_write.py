"""Reading back what a write just stored, for the answer both doors give."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound

T = TypeVar("T")


async def reread_after_write(
    session: AsyncSession,
    read: Callable[[AsyncSession, str], Awaitable[T | None]],
    key: str,
    noun: str,
) -> T:
    """``read(session, key)`` inside the writing transaction, which cannot miss the row.

    Should it miss anyway (a bug, or a store that lost the row), the client hears a 404
    naming what vanished, never a 500 or an answer about something else.
    """
    found = await read(session, key)
    if found is None:
        raise NotFound(detail=f"{noun} {key!r} vanished during the write")
    return found
