"""The in-memory rate limit: a quota per fixed window, refused past it, fresh next window."""

from __future__ import annotations

import time

import pytest
from limits import parse

from api.access.rate_limit import RateLimiter
from api.settings import Settings

pytestmark = pytest.mark.anyio


async def test_a_window_allows_its_quota_then_refuses_until_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [60 * 16_666 + 20.0]  # 20 s into a minute window
    monkeypatch.setattr(time, "time", lambda: now[0])
    limiter = RateLimiter(Settings(redis_url=None, rate_limit_anonymous="3/minute"))
    assert parse("3/minute").get_expiry() == 60
    verdicts = [await limiter.hit("ip:a", keyed=False) for _ in range(4)]
    assert [v.allowed for v in verdicts if v] == [True, True, True, False]
    assert [v.remaining for v in verdicts if v] == [2, 1, 0, 0]
    assert verdicts[-1] is not None and verdicts[-1].reset_seconds == 40
    assert await limiter.exhausted("ip:a") is not None
    assert await limiter.exhausted("ip:b") is None  # others keep their own quota
    now[0] += 40  # the next window
    fresh = await limiter.hit("ip:a", keyed=False)
    assert fresh is not None and fresh.allowed and fresh.remaining == 2
    assert await limiter.exhausted("ip:a") is None
