"""X-Forwarded-For is believed only from ``trusted_proxies``: by default from nobody, loopback
included, so a client cannot pick the address it is rate-limited and logged by."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.edge.lifecycle import server_options
from api.settings import Settings
from tests.fixtures.server_process import free_port, start_server, wait_until_up

pytestmark = pytest.mark.anyio


async def _statuses(tmp_path: Path, **env: str) -> list[int]:
    """Three anonymous calls, each claiming another forwarded address, under a 2/minute quota."""
    port = free_port()
    server = start_server(
        tmp_path,
        port,
        BROADSHEET_RATE_LIMIT_ENABLED="true",
        BROADSHEET_RATE_LIMIT_ANONYMOUS="2/minute",
        **env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base, server)
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            return [
                (
                    await client.get("/v1/sources", headers={"X-Forwarded-For": f"203.0.113.{i}"})
                ).status_code
                for i in range(3)
            ]
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


async def test_forwarded_addresses_from_loopback_are_ignored_by_default(tmp_path: Path) -> None:
    # All three are the same caller (127.0.0.1), whatever they claim: the third is limited.
    assert await _statuses(tmp_path) == [200, 200, 429]


async def test_a_trusted_proxy_passes_on_the_client_address(tmp_path: Path) -> None:
    trusted = '["127.0.0.1/32", "::1"]'
    assert await _statuses(tmp_path, BROADSHEET_TRUSTED_PROXIES=trusted) == [200, 200, 200]


def test_uvicorn_is_given_the_trusted_proxies_and_nothing_else() -> None:
    assert server_options(Settings())["forwarded_allow_ips"] == []
    configured = Settings(trusted_proxies=["10.0.0.0/8", "192.0.2.7"])
    assert server_options(configured)["forwarded_allow_ips"] == ["10.0.0.0/8", "192.0.2.7"]


def test_a_trusted_proxy_must_be_an_address_or_range() -> None:
    with pytest.raises(ValidationError, match="not an address or CIDR range"):
        Settings(trusted_proxies=["proxy.internal"])
    assert Settings(trusted_proxies=["*"]).trusted_proxies == ["*"]
