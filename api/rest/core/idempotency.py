"""Idempotency-Key on POST: claim the key, run once, replay the stored response to retries."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time

from starlette.requests import Request
from starlette.responses import Response

from api.db.database import Database
from api.domain import shared as idempotency
from api.domain.shared import StoredResponse
from api.errors import InvalidInput

_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,200}")
POLL_SECONDS = 0.05
# Claims this worker could not release because the database failed with their request:
# they are known not to be running, so a retry takes them over at once instead of waiting
# for ABANDONED_AFTER (other workers still wait for it).
orphaned: set[tuple[str, str]] = set()


def request_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not _KEY_SHAPE.fullmatch(key):
        raise InvalidInput.for_param(
            "Idempotency-Key", "1 to 200 visible ASCII characters", status=400
        )
    return key


def request_hash(method: str, path: str, query: str, raw_body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method, path, query):
        digest.update(part.encode() + b"\x00")
    digest.update(raw_body)
    return digest.hexdigest()


def replay(stored: StoredResponse, *, replayed: bool = True) -> Response:
    headers = {**stored.headers, "Idempotent-Replayed": "true"} if replayed else stored.headers
    return Response(stored.body or None, status_code=stored.status, headers=headers)


async def claim_or_wait(
    database: Database, principal: str, key: str, fingerprint: str, *, wait_seconds: float
) -> StoredResponse | None:
    """None when this request is to run; the first response when one is stored.

    A retry arriving while the first is still running waits for it (up to
    ``wait_seconds``) and then replays its answer, or gets 409.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        async with database.session(write=True) as session:
            reclaim = (principal, key) in orphaned
            claim = await idempotency.claim(session, principal, key, fingerprint, reclaim=reclaim)
        if not claim.running:
            orphaned.discard((principal, key))
            return claim.replay
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            async with database.session(primary=True) as session:  # the claim's own row
                seen = await idempotency.peek(session, principal, key)
            if seen is None:
                break  # the first request failed and let go: claim again
            if not seen.running:
                return seen.replay
        else:
            raise idempotency.still_running()


async def release_claim(database: Database, principal: str, key: str) -> None:
    """Forget a failed request's claim; if the database is gone too, remember it here."""
    try:
        async with database.session(write=True) as session:
            await idempotency.release(session, principal, key)
    except BaseException as exc:
        orphaned.add((principal, key))
        if not isinstance(exc, Exception):  # cancellation goes on; a fault stays secondary
            raise
