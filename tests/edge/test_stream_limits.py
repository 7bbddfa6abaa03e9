"""Long-lived connections are bounded: streams per client address (SSE and subscriptions
together), WebSockets per worker, and sockets that carry no subscription time out."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from api.app import create_app
from api.settings import Settings
from tests.fixtures.live_clients import SSE, Socket
from tests.fixtures.server_process import free_port, start_server, wait_until_up

pytestmark = pytest.mark.anyio
SUBSCRIPTION = "subscription { articleChanged { kind } }"
PROTOCOL = Subprotocol("graphql-transport-ws")
Serving = Callable[..., AbstractAsyncContextManager[Starlette]]


@pytest.fixture
def serving_app(database_url: str) -> Serving:
    """``async with serving_app(**settings) as app``: lifespan running, streams long-lived."""

    @asynccontextmanager
    async def open_app(**overrides: Any) -> AsyncIterator[Starlette]:
        settings = Settings(database_url=database_url, stream_max_seconds=300, **overrides)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            yield app

    return open_app


async def test_one_client_cannot_take_every_stream(serving_app: Serving) -> None:
    async with serving_app(stream_max_per_client=2, stream_max_connections=10) as app:
        first, second = SSE(app, "10.0.0.1"), SSE(app, "10.0.0.1")
        third, neighbour = SSE(app, "10.0.0.1"), SSE(app, "10.0.0.2")
        assert [await first.open(), await second.open()] == [200, 200]
        assert await third.open() == 503
        body = await third.next_message()
        assert orjson.loads(body["body"])["detail"].startswith("this client already has 2")
        assert await neighbour.open() == 200  # another address has its own share
        await first.close()
        again = SSE(app, "10.0.0.1")
        assert await again.open() == 200  # a closed stream gives its place back
        for stream in (second, neighbour, again):
            await stream.close()
        await third.finish({"type": "http.disconnect"})


async def test_subscriptions_and_sse_share_the_client_share(serving_app: Serving) -> None:
    async with serving_app(stream_max_per_client=2) as app:
        stream, socket = SSE(app, "10.0.0.1"), Socket(app, "10.0.0.1")
        assert await stream.open() == 200
        await socket.init()
        await socket.subscribe("a", SUBSCRIPTION)
        # Spelled with a JSON escape, as the endpoint's parser still reads it: counted too.
        escaped = orjson.dumps({"id": "b", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        escaped = escaped.replace(b'"subscribe"', b'"subscrib\\u0065"')
        await socket.inbox.put({"type": "websocket.receive", "text": escaped.decode()})
        refused = await socket.receive()
        assert refused["type"] == "error" and refused["id"] == "b"
        assert refused["payload"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        over = SSE(app, "10.0.0.1")
        assert await over.open() == 503  # the stream and subscription "a" fill the share
        await over.finish({"type": "http.disconnect"})
        await socket.send({"id": "a", "type": "complete"})
        await asyncio.sleep(0.05)
        freed = SSE(app, "10.0.0.1")
        assert await freed.open() == 200
        for connection in (stream, freed):
            await connection.close()
        await socket.close()


@pytest.mark.parametrize("http_response", [True, False], ids=["503", "close"])
async def test_websockets_per_worker_are_capped(serving_app: Serving, http_response: bool) -> None:
    async with serving_app(websocket_max_connections=2) as app:
        sockets = [Socket(app, f"10.0.0.{i}") for i in range(2)]
        for socket in sockets:
            await socket.init()
        extra = Socket(app, "10.0.0.9", http_response=http_response)
        answer = await extra.open()
        if http_response:
            assert answer["type"] == "websocket.http.response.start"
            assert answer["status"] == 503
            assert (b"retry-after", b"5") in answer["headers"]
        else:
            assert answer == {"type": "websocket.close", "code": 1013}
        await sockets[0].close()
        replacement = Socket(app, "10.0.0.9")
        await replacement.init()  # a closed socket gives its place back
        for socket in (sockets[1], replacement):
            await socket.close()


async def test_a_socket_that_never_subscribes_is_closed(serving_app: Serving) -> None:
    async with serving_app(websocket_idle_seconds=0.3) as app:
        socket = Socket(app)
        await socket.init()
        closed = await socket.receive(wait=3)
        assert closed["type"] == "websocket.close" and closed["code"] == 4408
        await socket.close()


async def test_a_socket_is_idle_only_while_no_subscription_runs(serving_app: Serving) -> None:
    async with serving_app(websocket_idle_seconds=0.3) as app:
        socket = Socket(app)
        await socket.init()
        await socket.subscribe("a", SUBSCRIPTION)
        with pytest.raises(TimeoutError):  # a running subscription keeps it open
            await socket.receive(wait=1.0)
        await socket.send({"id": "a", "type": "complete"})
        closed = await socket.receive(wait=3)  # then idle again: closed
        assert closed["type"] == "websocket.close" and closed["code"] == 4408
        await socket.close()


# --- Against a real `broadsheet serve` ------------------------------------------------------


async def test_a_served_socket_is_refused_past_the_cap_and_closed_when_idle(
    tmp_path: Path,
) -> None:
    port = free_port()
    server = start_server(
        tmp_path,
        port,
        BROADSHEET_WEBSOCKET_MAX_CONNECTIONS="1",
        BROADSHEET_WEBSOCKET_IDLE_SECONDS="2",
    )
    url = f"ws://127.0.0.1:{port}/graphql"
    try:
        await wait_until_up(f"http://127.0.0.1:{port}", server)
        async with connect(url, subprotocols=[PROTOCOL]) as idle:
            await idle.send(orjson.dumps({"type": "connection_init"}).decode())
            assert orjson.loads(await idle.recv())["type"] == "connection_ack"
            with pytest.raises(InvalidStatus) as refused:
                async with connect(url, subprotocols=[PROTOCOL]):
                    pass
            assert refused.value.response.status_code == 503
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(idle.recv(), 5)
            assert idle.close_code == 4408
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
