"""An answer sent before the request body was read closes the connection: a client that
trickles its body after a 401 or 503 cannot hold the connection open."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fixtures.server_process import free_port, start_server, wait_until_up

pytestmark = pytest.mark.anyio
BOGUS = "bsk_aaaaaaaaaaaa_" + "a" * 43
# Past uvicorn's keep-alive timeout (5 s): a connection still open then is being held.
WATCH_SECONDS = 7.0


def _post_head(authorization: str) -> bytes:
    return (
        "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: {authorization}\r\nContent-Length: 1000000\r\n\r\n{{"
    ).encode()


async def _answer_then_trickle(port: int, head: bytes) -> tuple[bytes, float | None]:
    """Sends ``head``, then a body byte every 0.2 s; returns what came back and how long
    after the answer's first byte the server closed (None: still open after the watch).
    A reset instead of a clean close fails the test: it can destroy the answer unread."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    received, answered, closed_after = b"", None, None
    try:
        writer.write(head)
        await writer.drain()
        deadline = loop.time() + WATCH_SECONDS
        while loop.time() < deadline:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), 0.2)
            except TimeoutError:
                chunk = None
            if chunk == b"":
                closed_after = loop.time() - (answered or loop.time())
                break
            if chunk:
                answered = answered or loop.time()
                received += chunk
            try:
                writer.write(b" ")
                await writer.drain()
            except ConnectionError:
                closed_after = loop.time() - (answered or loop.time())
                break
    finally:
        writer.close()
    return received, closed_after


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[int]:
    port = free_port()
    process = start_server(
        tmp_path_factory.mktemp("early_answers"), port, BROADSHEET_MAX_CONCURRENT_REQUESTS="1"
    )
    try:
        await wait_until_up(f"http://127.0.0.1:{port}", process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


async def test_a_401_before_the_body_closes_the_connection(server: int) -> None:
    received, closed_after = await _answer_then_trickle(server, _post_head(f"Bearer {BOGUS}"))
    assert received.startswith(b"HTTP/1.1 401 "), received
    assert closed_after is not None and closed_after < 3.0, "the connection was held open"
    assert b"\r\nconnection: close\r\n" in received.lower()


async def test_a_503_before_the_body_closes_the_connection(server: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}", timeout=30) as client:
        busy = asyncio.create_task(client.get("/_test/slow", params={"seconds": "3"}))
        await asyncio.sleep(0.5)  # the one admission slot is now taken
        received, closed_after = await _answer_then_trickle(server, _post_head("Bearer x"))
        assert (await busy).status_code == 200
    assert received.startswith(b"HTTP/1.1 503 "), received
    assert closed_after is not None and closed_after < 3.0, "the connection was held open"
    assert b"\r\nconnection: close\r\n" in received.lower()


async def test_the_answer_survives_unread_body_bytes(server: int) -> None:
    # The server closes with part of the body unread in its socket: a plain close would
    # reset the connection, and the client, reading late, would lose its 401.
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        # More than uvicorn buffers before it stops reading: some stays in the kernel.
        writer.write(_post_head(f"Bearer {BOGUS}") + b" " * 300_000)
        await asyncio.sleep(0.5)
        received = await asyncio.wait_for(reader.read(), 5)  # to the server's FIN
    finally:
        writer.close()
    assert received.startswith(b"HTTP/1.1 401 "), received
    assert received.endswith(b'"unknown or revoked API key"}')


async def test_an_answer_after_the_body_keeps_the_connection(server: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}", timeout=10) as client:
        first = await client.post("/graphql", json={"query": "{ __typename }"})
        second = await client.get("/healthz")
    assert first.status_code == second.status_code == 200
    assert "connection" not in first.headers
