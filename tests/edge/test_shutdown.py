"""SIGTERM to a real ``broadsheet serve``: requests in flight finish, then a clean exit."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server_process import free_port, start_server, wait_until_up

pytestmark = pytest.mark.anyio
IN_FLIGHT = 20


async def test_sigterm_lets_requests_in_flight_finish(tmp_path: Path) -> None:
    port = free_port()
    server = await asyncio.to_thread(
        start_server, tmp_path, port, BROADSHEET_GRACEFUL_SHUTDOWN_SECONDS="30"
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base, server)
        limits = httpx.Limits(max_connections=IN_FLIGHT + 5)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            slow = [
                asyncio.create_task(client.get("/_test/slow", params={"seconds": 3}))
                for _ in range(IN_FLIGHT)
            ]
            await asyncio.sleep(1.0)  # all 20 are being served
            server.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.7)
            # The listening socket is closed: no new connections while draining.
            with pytest.raises(httpx.ConnectError):
                async with httpx.AsyncClient(base_url=base, timeout=2) as fresh:
                    await fresh.get("/healthz")
            responses = await asyncio.gather(*slow)
        assert [r.status_code for r in responses] == [200] * IN_FLIGHT
        assert all(len(r.content) == 65536 for r in responses)
        # Readiness had turned false while they were still running.
        assert all(r.headers["x-test-draining"] == "true" for r in responses)
        assert await asyncio.to_thread(server.wait, 30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        assert server.stderr is not None
        log = server.stderr.read().decode(errors="replace")
    assert "Traceback" not in log, log
    assert "Application shutdown complete" in log, log
