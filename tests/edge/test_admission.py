"""Admission: past max_concurrent_requests a request is refused at once with 503."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.edge.conftest import EdgeClient
from tests.edge.edge_support import assert_retryable_503

pytestmark = pytest.mark.anyio


async def test_one_request_past_the_limit_is_refused_at_once(edge_client: EdgeClient) -> None:
    async with edge_client(max_concurrent_requests=2) as (_app, client):
        slow = [
            asyncio.create_task(client.get("/_test/slow", params={"seconds": 1.5}))
            for _ in range(2)
        ]
        await asyncio.sleep(0.3)  # both are in progress now
        started = time.monotonic()
        refused = await client.get("/v1/articles")
        assert time.monotonic() - started < 1
        assert_retryable_503(refused)
        assert "limit of 2 concurrent requests" in refused.json()["detail"]
        # Probes are always admitted, so a busy worker still looks alive.
        assert (await client.get("/healthz")).status_code == 200
        assert [r.status_code for r in await asyncio.gather(*slow)] == [200, 200]
        # The slots are free again.
        assert (await client.get("/v1/articles")).status_code == 200
