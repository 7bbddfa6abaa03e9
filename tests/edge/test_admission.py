"""Admission: past max_concurrent_requests a request is refused at once with 503."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.types import Message, Receive, Scope, Send

from api.edge.admission import AdmissionMiddleware
from api.settings import Settings
from tests.edge.conftest import EdgeClient
from tests.fixtures.server_process import assert_retryable_503

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


async def test_a_request_stops_counting_once_its_response_is_out() -> None:
    # A keep-alive client sends its next request as soon as it has the last byte, while
    # the server may still be cleaning up after the first (closing its session, logging).
    cleanup_done = asyncio.Event()
    first_answered = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        if scope["path"] == "/first":
            first_answered.set()
            await cleanup_done.wait()

    gate = AdmissionMiddleware(app, Settings(max_concurrent_requests=1))
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    def scope(path: str) -> Scope:
        return {"type": "http", "path": path, "method": "GET", "headers": []}

    first = asyncio.create_task(gate(scope("/first"), receive, send))
    await asyncio.wait_for(first_answered.wait(), 5)
    await gate(scope("/second"), receive, send)  # admitted while /first cleans up
    cleanup_done.set()
    await asyncio.wait_for(first, 5)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [200, 200]
    assert gate.in_flight == 0
