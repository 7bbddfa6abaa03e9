"""Helpers for the edge tests (fixtures live in tests/edge/conftest.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.db import migrate

SERVE = (
    "import sys; from api.cli.commands import main; "
    "sys.argv = ['broadsheet', *sys.argv[1:]]; main()"
)
ROOT = Path(__file__).resolve().parents[2]


def assert_retryable_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(tmp_path: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    """A real ``broadsheet serve`` on a fresh SQLite file, test routes on; ``env`` adds to it."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BROADSHEET_TEST_FAULT_ROUTES": "1",
        "BROADSHEET_RATE_LIMIT_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
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
