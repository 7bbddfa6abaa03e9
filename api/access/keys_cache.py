"""Resolving a presented API key, with a short cache so reads don't hit the database.

A revoked key stops working within ``TTL_SECONDS``; tokens are cached by their SHA-256,
never in the clear.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

from api.db.database import Database
from api.domain.access import KeyRecord, authenticate

TTL_SECONDS = 10.0
MAX_ENTRIES = 4096


class KeyResolver:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._cache: OrderedDict[str, tuple[float, KeyRecord | None]] = OrderedDict()

    async def resolve(self, token: str) -> KeyRecord | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self._database.session() as session:
            record = await authenticate(session, token)
        # Unknown tokens are cached too: a client retrying a bad key costs one lookup.
        self._cache[digest] = (now + TTL_SECONDS, record)
        self._cache.move_to_end(digest)
        while len(self._cache) > MAX_ENTRIES:
            self._cache.popitem(last=False)
        return record
