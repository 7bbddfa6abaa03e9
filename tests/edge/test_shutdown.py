"""SIGTERM to a real ``broadsheet serve``: requests in flight finish, then a clean exit."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api import migrate

pytestmark = pytest.mark.anyio
IN_FLIGHT = 20
SERVE = "import sys; from api.cli import main; sys.argv = ['broadsheet', *sys.argv[1:]]; main()"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while time.monotonic() < deadline:
            assert server.poll() is None, "the server exited during startup"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not become ready within 30 s")


def _start_server(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BROADSHEET_TEST_FAULT_ROUTES": "1",
        "BROADSHEET_GRACEFUL_SHUTDOWN_SECONDS": "30",
        "BROADSHEET_RATE_LIMIT_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def test_sigterm_lets_requests_in_flight_finish(tmp_path: Path) -> None:
    port = _free_port()
    server = await asyncio.to_thread(_start_server, tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_up(base, server)
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
