"""One delivery attempt over HTTP: re-check the target, sign, POST, classify the answer."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from api.domain.webhooks import signing as webhook_signing
from api.domain.webhooks.targets import TargetRefused, check_target

MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Attempt:
    ok: bool
    status_code: int | None = None
    error: str | None = None


async def send(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    message_id: str,
    payload: dict[str, Any],
    allow: Sequence[str],
    timeout_seconds: float,
) -> Attempt:
    """POST the event; 2xx is success, anything else (redirects too) a failed attempt."""
    try:
        await check_target(url, allow)  # again: what the name resolves to may have changed
    except TargetRefused as exc:
        return Attempt(False, error=f"target refused: {exc}")
    body = orjson.dumps(payload)
    headers = webhook_signing.headers(secret, message_id, int(time.time()), body)
    try:
        response = await client.post(
            url, content=body, headers=headers, timeout=timeout_seconds, follow_redirects=False
        )
    except httpx.TimeoutException:
        return Attempt(False, error=f"timed out after {timeout_seconds:g}s")
    except httpx.HTTPError as exc:
        return Attempt(False, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])
    if 200 <= response.status_code < 300:
        return Attempt(True, response.status_code)
    return Attempt(False, response.status_code, f"HTTP {response.status_code}")


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(n-1))]."""
    ceiling = min(cap, base * 2 ** min(attempts - 1, 40))
    return random.uniform(0, ceiling)  # jitter, not cryptography
