"""Rate limits per API key, or per client address for anonymous calls (the `limits` library).

Counters live in process memory, or in Redis when ``REDIS_URL`` is set so that every worker
shares one limit. Responses carry the IETF ``RateLimit-Policy`` / ``RateLimit`` headers
(draft-ietf-httpapi-ratelimit-headers, structured fields).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from api.settings import Settings

log = logging.getLogger("broadsheet.rate_limit")


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    policy: str
    quota: int
    window_seconds: int
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        policy = f'"{self.policy}";q={self.quota};w={self.window_seconds}'
        state = f'"{self.policy}";r={self.remaining};t={self.reset_seconds}'
        return [(b"ratelimit-policy", policy.encode()), (b"ratelimit", state.encode())]


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        uri = f"async+{settings.redis_url}" if settings.redis_url else "async+memory://"
        self._strategy = FixedWindowRateLimiter(storage_from_string(uri))
        self._prefix = settings.rate_limit_prefix
        self._policies: dict[str, RateLimitItem] = {
            "anonymous": parse(settings.rate_limit_anonymous),
            "key": parse(settings.rate_limit_keyed),
        }

    async def hit(self, identity: str, *, keyed: bool) -> Verdict | None:
        """Count one request; None when the counter store is unreachable (fail open)."""
        return await self._verdict(identity, keyed=keyed, count=True)

    async def exhausted(self, identity: str) -> Verdict | None:
        """The anonymous verdict for ``identity`` if its quota is spent, counting nothing;
        None while it has some left (or the store is unreachable)."""
        item = self._policies["anonymous"]
        try:
            if await self._strategy.test(item, self._prefix, identity):
                return None
        except Exception:
            log.warning("rate limit store unavailable; request allowed", exc_info=True)
            return None
        return await self._verdict(identity, keyed=False, count=False)

    async def _verdict(self, identity: str, *, keyed: bool, count: bool) -> Verdict | None:
        policy = "key" if keyed else "anonymous"
        item = self._policies[policy]
        try:
            allowed = await self._strategy.hit(item, self._prefix, identity) if count else False
            stats = await self._strategy.get_window_stats(item, self._prefix, identity)
        except Exception:  # an outage of the counter store must not take the API down
            log.warning("rate limit store unavailable; request allowed", exc_info=True)
            return None
        return Verdict(
            allowed=allowed,
            policy=policy,
            quota=item.amount,
            window_seconds=item.get_expiry(),
            remaining=max(0, stats.remaining),
            reset_seconds=max(0, math.ceil(stats.reset_time - time.time())),
        )
