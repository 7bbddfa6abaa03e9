"""Idempotency keys: a retried POST gets the first response instead of a second write.

``claim`` records the key in its own short transaction before the write starts, so a
concurrent retry sees it; ``complete`` stores the response in the write's transaction, so
the stored answer exists exactly when the write committed; ``release`` forgets a key whose
request failed, so a corrected retry runs again. A secret the answer shows once (a
webhook's signing secret) is named with ``withhold_from_replay`` and never stored: the
replay has null in its place and a note beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import BroadsheetError, Conflict, InvalidInput
from api.models import IdempotentRequest
from api.models.base import utcnow

RETENTION = dt.timedelta(hours=24)
# A first request still "running" after this is taken to have died with its worker.
ABANDONED_AFTER = dt.timedelta(seconds=60)
_WITHHELD = "idempotency_withheld"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claim:
    """``replay`` is the stored response, or None when this request must run."""

    replay: StoredResponse | None
    running: bool = False


async def claim(
    session: AsyncSession, principal: str, key: str, request_hash: str, *, reclaim: bool = False
) -> Claim:
    """Take the key for this request (commits on its own), or report what holds it.

    ``reclaim``: the caller knows an unfinished claim on this key is dead (its request
    failed), so it is taken over at once.
    """
    now = utcnow()
    await session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < now - RETENTION)
    )
    row = await session.get(IdempotentRequest, (principal, key), with_for_update=True)
    if row is None:
        try:
            async with session.begin_nested():  # a lost race must not spoil the transaction
                session.add(
                    IdempotentRequest(principal=principal, key=key, request_hash=request_hash)
                )
        except IntegrityError:  # a concurrent first request won the insert
            return Claim(replay=None, running=True)
        return Claim(replay=None)
    if row.request_hash != request_hash:
        raise InvalidInput.for_param(
            "Idempotency-Key", "already used with a different request; use a new key"
        )
    if row.status is None:
        if not reclaim and now - row.created_at < ABANDONED_AFTER:
            return Claim(replay=None, running=True)
        row.created_at = now  # take over an abandoned claim
        return Claim(replay=None)
    assert row.body is not None
    return Claim(replay=StoredResponse(row.status, dict(row.headers or {}), row.body))


def withhold_from_replay(session: AsyncSession, value: str, *, note: str) -> None:
    """Keep ``value``, a secret this write's answer shows once, out of the stored replay.

    Wherever the answer's JSON holds it, the replay holds null, and a member named after
    it plus ``_note`` holds ``note`` (``"secret"`` -> ``"secret_note"``).
    """
    session.info.setdefault(_WITHHELD, {})[value] = note


def _scrubbed(value: Any, withheld: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, item in value.items():
            if isinstance(item, str) and item in withheld:
                out[name], out[f"{name}_note"] = None, withheld[item]
            else:
                out[name] = _scrubbed(item, withheld)
        return out
    if isinstance(value, list):
        return [_scrubbed(item, withheld) for item in value]
    return None if isinstance(value, str) and value in withheld else value


def _replayable(response: StoredResponse, withheld: dict[str, str]) -> StoredResponse:
    if not withheld or not response.body:
        return response
    body = orjson.dumps(_scrubbed(orjson.loads(response.body), withheld))
    kept = [body, *(str(v).encode() for v in response.headers.values())]
    if any(value.encode() in part for value in withheld for part in kept):
        raise RuntimeError("a withheld value would be stored with the replay")
    return StoredResponse(response.status, response.headers, body)


async def complete(
    session: AsyncSession, principal: str, key: str, response: StoredResponse
) -> None:
    response = _replayable(response, session.info.pop(_WITHHELD, {}))
    row = await session.get(IdempotentRequest, (principal, key))
    if row is None:  # retention ran out mid-request: nothing to keep
        return
    row.status, row.headers, row.body = response.status, response.headers, response.body


async def release(session: AsyncSession, principal: str, key: str) -> None:
    await session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.principal == principal,
            IdempotentRequest.key == key,
            IdempotentRequest.status.is_(None),
        )
    )


async def peek(session: AsyncSession, principal: str, key: str) -> Claim | None:
    """What a waiting retry sees: None once the key is free again."""
    row = await session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.principal == principal, IdempotentRequest.key == key
        )
    )
    if row is None:
        return None
    if row.status is None:
        return Claim(replay=None, running=True)
    assert row.body is not None
    return Claim(replay=StoredResponse(row.status, dict(row.headers or {}), row.body))


def still_running() -> BroadsheetError:
    return Conflict(
        detail="a request with this Idempotency-Key is still running; retry shortly",
    )


def header_dict(headers: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in headers.items()}
