"""Resolving a presented API key, with a short cache so reads don't hit the database.

A revoked key stops working within ``TTL_SECONDS``; tokens are cached by their SHA-256,
never in the clear.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import TypeVar

from api.db.database import Database
from api.domain.access import KeyRecord, authenticate

TTL_SECONDS = 10.0
MAX_ENTRIES = 4096
V = TypeVar("V")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeyResolver:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._cache: OrderedDict[str, tuple[float, KeyRecord | None]] = OrderedDict()
        # Tokens that were a valid key at some point. An address over its anonymous quota
        # is refused before its key is looked up, unless the key is one of these: a valid
        # key must not be locked out by the anonymous callers sharing its address.
        self._vouched: OrderedDict[str, None] = OrderedDict()

    def vouched(self, token: str) -> bool:
        return _digest(token) in self._vouched

    async def resolve(self, token: str) -> KeyRecord | None:
        digest = _digest(token)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        # On the primary: a key works the moment it is created, replicas or not.
        async with self._database.session(primary=True) as session:
            record = await authenticate(session, token)
        # Unknown tokens are cached too: a client retrying a bad key costs one lookup.
        _remember(self._cache, digest, (now + TTL_SECONDS, record))
        if record is not None:
            _remember(self._vouched, digest, None)
        return record


def _remember(entries: OrderedDict[str, V], digest: str, value: V) -> None:
    entries[digest] = value
    entries.move_to_end(digest)
    while len(entries) > MAX_ENTRIES:
        entries.popitem(last=False)
