"""Rate limits per API key, or per client address for anonymous calls (the `limits` library).

Counters live in process memory (fixed windows aligned to the clock), or in Redis when
``REDIS_URL`` is set so that every worker shares one limit. Responses carry the IETF
``RateLimit-Policy`` / ``RateLimit`` headers (draft-ietf-httpapi-ratelimit-headers,
structured fields).
"""

from __future__ import annotations

import functools
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
        policy = _policy_header(self.policy, self.quota, self.window_seconds)
        state = f'"{self.policy}";r={self.remaining};t={self.reset_seconds}'
        return [policy, (b"ratelimit", state.encode())]


@functools.lru_cache(maxsize=16)
def _policy_header(policy: str, quota: int, window_seconds: int) -> tuple[bytes, bytes]:
    return b"ratelimit-policy", f'"{policy}";q={quota};w={window_seconds}'.encode()


@dataclass(frozen=True, slots=True)
class _Count:
    allowed: bool
    remaining: int
    reset_at: float  # time.time() at which the window ends


class _LocalWindows:
    """Fixed windows (aligned to the clock) counted in this process's memory.

    Every request pays for its count: this is a dict update, where the ``limits`` library's
    memory storage cost several times more (locks, key strings, a second call for the
    window's figures). A window's counts are dropped whole when it ends.
    """

    def __init__(self) -> None:
        self._windows: dict[int, tuple[int, dict[str, int]]] = {}

    def count(self, item: RateLimitItem, identity: str, *, hit: bool) -> _Count:
        expiry = item.get_expiry()
        now = time.time()
        window = int(now // expiry)
        current, counts = self._windows.get(expiry, (window, {}))
        if current != window:
            counts = {}
        self._windows[expiry] = (window, counts)
        used = counts.get(identity, 0)
        if hit and used < item.amount:
            used = counts[identity] = used + 1
            allowed = True
        else:
            allowed = False
        return _Count(allowed, item.amount - used, (window + 1) * expiry)


class _SharedWindows:
    """Fixed windows in Redis (the ``limits`` library), shared by every worker."""

    def __init__(self, uri: str, prefix: str) -> None:
        self._strategy = FixedWindowRateLimiter(storage_from_string(uri))
        self._prefix = prefix

    async def count(self, item: RateLimitItem, identity: str, *, hit: bool) -> _Count:
        allowed = await self._strategy.hit(item, self._prefix, identity) if hit else False
        stats = await self._strategy.get_window_stats(item, self._prefix, identity)
        return _Count(allowed, stats.remaining, stats.reset_time)


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self._windows: _LocalWindows | _SharedWindows = (
            _SharedWindows(f"async+{settings.redis_url}", settings.rate_limit_prefix)
            if settings.redis_url
            else _LocalWindows()
        )
        self._policies: dict[str, RateLimitItem] = {
            "anonymous": parse(settings.rate_limit_anonymous),
            "key": parse(settings.rate_limit_keyed),
        }

    async def hit(self, identity: str, *, keyed: bool) -> Verdict | None:
        """Count one request; None when the counter store is unreachable (fail open)."""
        return await self._verdict(identity, keyed=keyed, hit=True)

    async def exhausted(self, identity: str) -> Verdict | None:
        """The anonymous verdict for ``identity`` if its quota is spent, counting nothing;
        None while it has some left (or the store is unreachable)."""
        verdict = await self._verdict(identity, keyed=False, hit=False)
        return verdict if verdict is not None and verdict.remaining <= 0 else None

    async def _verdict(self, identity: str, *, keyed: bool, hit: bool) -> Verdict | None:
        policy = "key" if keyed else "anonymous"
        item = self._policies[policy]
        try:
            if isinstance(self._windows, _LocalWindows):  # in memory: nothing to await
                counted = self._windows.count(item, identity, hit=hit)
            else:
                counted = await self._windows.count(item, identity, hit=hit)
        except Exception:  # an outage of the counter store must not take the API down
            log.warning("rate limit store unavailable; request allowed", exc_info=True)
            return None
        return Verdict(
            allowed=counted.allowed,
            policy=policy,
            quota=item.amount,
            window_seconds=item.get_expiry(),
            remaining=max(0, counted.remaining),
            reset_seconds=max(0, math.ceil(counted.reset_at - time.time())),
        )
