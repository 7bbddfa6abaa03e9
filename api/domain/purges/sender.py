"""One purge over HTTP, in the form Varnish understands: ``PURGE`` (or ``BAN``) to the
cache endpoint with the keys, space-separated, in one header (``xkey-purge`` by default).

Keys go in groups that keep the header within what a cache accepts; the purge succeeds
when every group got a 2xx. The endpoints are the operator's own caches, so unlike a
webhook target they are neither checked against private ranges nor signed.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from api.domain.purges.keys import chunks
from api.domain.shared.outbox_worker import Attempt

MAX_ERROR_LENGTH = 500


def new_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False, trust_env=False)


async def send_purge(
    client: httpx.AsyncClient,
    *,
    url: str,
    keys: Sequence[str],
    method: str,
    header: str,
    timeout_seconds: float,
) -> Attempt:
    status = None
    for group in chunks(keys):
        try:
            response = await client.request(
                method, url, headers={header: " ".join(group)}, timeout=timeout_seconds
            )
        except httpx.TimeoutException:
            return Attempt(False, error=f"timed out after {timeout_seconds:g}s")
        except httpx.HTTPError as exc:
            return Attempt(False, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])
        status = response.status_code
        if not 200 <= status < 300:
            return Attempt(False, status, f"HTTP {status}")
    return Attempt(True, status)
