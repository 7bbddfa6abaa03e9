"""Subscriptions over graphql-transport-ws: ``articleChanged`` delivers matching changes.

The WebSocket is driven as raw ASGI on the test's own event loop, so every wait has a
timeout and the REST writes that cause the events run alongside it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import MutableMapping
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.db.database import Database
from api.settings import Settings
from tests.fixtures.writes import create, key_headers

pytestmark = pytest.mark.anyio
WAIT = 10.0
AI = {"slug": "ai", "name": "AI", "icon": "x"}
SUBSCRIPTION = """
subscription Changes($filter: ArticleFilter, $since: String) {
  articleChanged(filter: $filter, since: $since) {
    kind cursor articleId slug
    article { title articleId category { slug } entities { slug } analysis }
  }
}
"""


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


class Socket:
    """A graphql-transport-ws client speaking raw ASGI to the app."""

    def __init__(self, app: Starlette, headers: dict[str, str] | None = None) -> None:
        self.app = app
        raw_headers = [(b"sec-websocket-protocol", b"graphql-transport-ws")]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": raw_headers,
            "client": ("127.0.0.1", 5001),
            "server": ("testserver", 80),
            "subprotocols": ["graphql-transport-ws"],
        }
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _receive(self) -> dict[str, Any]:
        return await self.inbox.get()

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        await self.outbox.put(message)

    async def open(self) -> MutableMapping[str, Any]:
        """The server's answer to the handshake: accept or close."""
        self._task = asyncio.create_task(self.app(self.scope, self._receive, self._send))
        await self.inbox.put({"type": "websocket.connect"})
        return await asyncio.wait_for(self.outbox.get(), WAIT)

    async def send(self, message: dict[str, Any]) -> None:
        await self.inbox.put({"type": "websocket.receive", "text": orjson.dumps(message).decode()})

    async def receive(self) -> dict[str, Any]:
        message = await asyncio.wait_for(self.outbox.get(), WAIT)
        assert message["type"] == "websocket.send", message
        payload: dict[str, Any] = orjson.loads(message["text"])
        return payload

    async def close(self) -> None:
        await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, WAIT)
            except TimeoutError:  # pragma: no cover - a hang is a failure
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                raise

    async def subscribe(self, variables: dict[str, Any]) -> None:
        accepted = await self.open()
        assert accepted["type"] == "websocket.accept", accepted
        assert accepted["subprotocol"] == "graphql-transport-ws"
        await self.send({"type": "connection_init"})
        assert (await self.receive())["type"] == "connection_ack"
        query = {"query": SUBSCRIPTION, "variables": variables}
        await self.send({"id": "1", "type": "subscribe", "payload": query})


async def _cursor(client: httpx.AsyncClient) -> str:
    cursor: str = (await client.get("/v1/changes", params={"limit": 1000})).json()["next_cursor"]
    return cursor


async def test_a_subscription_receives_a_new_matching_article(
    app: Starlette, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    socket = Socket(app)
    # From a known position, so nothing depends on when the server starts listening.
    since = await _cursor(client)
    try:
        await socket.subscribe({"filter": {"category": "ai"}, "since": since})
        other = await create(client, writer, url="https://news.example/other")
        match = (await create(client, writer, url="https://news.example/ai", category=AI)).json()
        message = await socket.receive()
        assert message["type"] == "next", message
        change = message["payload"]["data"]["articleChanged"]
        assert change["kind"] == "CREATED"
        assert change["articleId"] == match["id"]
        assert change["article"] == {
            "title": match["title"],
            "articleId": match["id"],
            "category": {"slug": "ai"},
            "entities": [{"slug": "acme"}],
            "analysis": ["First paragraph."],  # a loader field: its session is bound
        }
        # Deletes arrive whatever the filter; the non-matching create never did.
        deleted = await client.delete(f"/v1/articles/{other.json()['id']}", headers=writer)
        assert deleted.status_code == 204
        message = await socket.receive()
        change = message["payload"]["data"]["articleChanged"]
        assert (change["kind"], change["articleId"], change["article"]) == (
            "DELETED",
            other.json()["id"],
            None,
        )
        # The cursor resumes the REST stream and the changes log alike.
        after = await client.get("/v1/changes", params={"since": change["cursor"]})
        assert after.json()["items"] == []
        await socket.send({"id": "1", "type": "complete"})
    finally:
        await socket.close()


async def test_a_malformed_since_is_a_bad_user_input_error(app: Starlette) -> None:
    socket = Socket(app)
    try:
        await socket.subscribe({"since": "bm90LWEtY3Vyc29y"})
        message = await socket.receive()
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    finally:
        await socket.close()


async def test_the_access_gate_checks_websockets_too(database_url: str) -> None:
    locked = create_app(Settings(database_url=database_url, require_key_for_reads=True))
    async with locked.router.lifespan_context(locked):
        refused = await Socket(locked).open()
        assert refused["type"] == "websocket.close"
        assert refused["code"] == 1008
        database: Database = locked.state.db
        allowed = Socket(locked, await key_headers(database))
        try:
            assert (await allowed.open())["type"] == "websocket.accept"
        finally:
            await allowed.close()


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_subscriptions_over_http_are_a_clear_400(
    client: httpx.AsyncClient, method: str
) -> None:
    query = "subscription { articleChanged { kind } }"
    if method == "GET":
        response = await client.get("/graphql", params={"query": query})
    else:
        response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]
