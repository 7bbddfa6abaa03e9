"""GET /v1/stream: events arrive, resume from Last-Event-ID without gaps, filters, limits.

The stream never ends by itself, so it is driven as raw ASGI: the test reads frames as
they are sent and ends the connection with ``http.disconnect``. Every wait has a timeout.
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
from api.domain.stream import events as live
from api.settings import Settings
from tests.fixtures.writes import create, key_headers

pytestmark = pytest.mark.anyio
WAIT = 10.0
AI = {"slug": "ai", "name": "AI", "icon": "x"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, stream_max_seconds=300, stream_max_connections=2)


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


Frame = dict[str, str]


class Stream:
    """One SSE connection to the app, read frame by frame."""

    def __init__(self, app: Starlette, query: bytes = b"", headers: dict[str, str] | None = None):
        self.app = app
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/v1/stream",
            "raw_path": b"/v1/stream",
            "query_string": query,
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.frames: asyncio.Queue[Frame] = asyncio.Queue()
        self.last_id: str | None = None
        self._buffer = b""
        self._requested = False
        self._gone = asyncio.Event()
        self._started = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _receive(self) -> dict[str, Any]:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode(): v.decode() for k, v in message["headers"]}
            self._started.set()
            return
        self._buffer += message.get("body", b"")
        while b"\n\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n\n", 1)
            frame: Frame = {}
            for line in raw.decode().split("\n"):
                name, _, value = line.partition(":")
                frame[name or "comment"] = value.removeprefix(" ")
            await self.frames.put(frame)

    async def __aenter__(self) -> Stream:
        self._task = asyncio.create_task(self.app(self.scope, self._receive, self._send))
        await asyncio.wait_for(self._started.wait(), WAIT)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._gone.set()
        assert self._task is not None
        try:
            await asyncio.wait_for(self._task, WAIT)
        except TimeoutError:  # pragma: no cover - a hang is a failure, not a leak
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            raise

    async def frame(self) -> Frame:
        frame = await asyncio.wait_for(self.frames.get(), WAIT)
        if "id" in frame:
            self.last_id = frame["id"]
        return frame

    async def position(self) -> str:
        """The first id the stream sends: where it starts."""
        while self.last_id is None:
            await self.frame()
        return self.last_id

    async def event(self) -> tuple[str, dict[str, Any], str]:
        while True:
            frame = await self.frame()
            if "event" in frame:
                return frame["event"], orjson.loads(frame["data"]), frame["id"]


async def test_events_arrive_as_articles_change(
    app: Starlette, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    async with Stream(app) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert (await stream.frame()) == {"retry": "3000"}
        await stream.position()
        created = (await create(client, writer)).json()
        kind, data, _ = await stream.event()
        assert (kind, data["id"], data["title"]) == (
            "article.created",
            created["id"],
            created["title"],
        )
        assert data["source"]["slug"] == "wire"
        assert [e["slug"] for e in data["entities"]] == ["acme"]
        etag = (await client.get(f"/v1/articles/{created['id']}")).headers["etag"]
        patched = await client.patch(
            f"/v1/articles/{created['id']}",
            json={"title": "Now with a new title"},
            headers=writer | {"If-Match": etag},
        )
        assert patched.status_code == 200
        kind, data, _ = await stream.event()
        assert (kind, data["title"], data["version"]) == (
            "article.updated",
            "Now with a new title",
            2,
        )
        deleted = await client.delete(f"/v1/articles/{created['id']}", headers=writer)
        assert deleted.status_code == 204
        kind, data, _ = await stream.event()
        assert (kind, data) == ("article.deleted", {"id": created["id"], "slug": created["slug"]})


async def test_last_event_id_resumes_without_gaps_or_repeats(
    app: Starlette,
    client: httpx.AsyncClient,
    writer: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "STREAM_PAGE", 3)  # the burst spans several pages
    written: list[str] = []

    async def burst(count: int) -> None:
        for _ in range(count):
            n = len(written)
            response = await create(client, writer, url=f"https://news.example/{n}", title=f"S{n}")
            written.append(response.json()["id"])

    async with Stream(app) as first:
        start = await first.position()
        await burst(4)
        received = [(await first.event())[1]["id"] for _ in range(2)]
        resume_at = first.last_id
    assert resume_at is not None
    await burst(9)  # while nobody listens
    async with Stream(app, headers={"Last-Event-ID": resume_at}) as second:
        writer_task = asyncio.create_task(burst(5))  # and more while the replay runs
        try:
            while len(received) < len(written) or not writer_task.done():
                received.append((await second.event())[1]["id"])
        finally:
            await asyncio.wait_for(writer_task, WAIT)
    assert received == written
    # `since` is the same position as Last-Event-ID, and survives a restart from the start.
    async with Stream(app, query=f"since={start}".encode()) as replay:
        assert [(await replay.event())[1]["id"] for _ in written] == written


async def test_filters_are_respected_and_deletes_always_arrive(
    app: Starlette, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    async with Stream(app, query=b"category=ai&importance_min=5") as stream:
        await stream.position()
        other = (await create(client, writer, url="https://news.example/other")).json()
        low = await create(
            client, writer, url="https://news.example/low", category=AI, importance=2
        )
        match = (await create(client, writer, url="https://news.example/ai", category=AI)).json()
        kind, data, _ = await stream.event()
        assert (kind, data["id"]) == ("article.created", match["id"])
        assert low.status_code == 201
        # The log keeps no snapshot of a deleted article: every delete is announced.
        await client.delete(f"/v1/articles/{other['id']}", headers=writer)
        kind, data, _ = await stream.event()
        assert (kind, data["id"]) == ("article.deleted", other["id"])


async def test_concurrent_streams_are_capped(app: Starlette, client: httpx.AsyncClient) -> None:
    async with Stream(app) as one, Stream(app) as two:
        await one.position()
        await two.position()
        refused = await client.get("/v1/stream")
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 0
    # Closed streams give their slots back.
    async with Stream(app) as again:
        assert again.status == 200
        await again.position()


@pytest.mark.parametrize(
    ("query", "headers", "name"),
    [
        (b"since=bm90LWEtY3Vyc29y", {}, "since"),
        (b"", {"Last-Event-ID": "garbage"}, "Last-Event-ID"),
        (b"category=Not%20A%20Slug", {}, "category"),
        (b"limit=5", {}, "limit"),
    ],
)
async def test_bad_positions_and_filters_are_400(
    client: httpx.AsyncClient, query: bytes, headers: dict[str, str], name: str
) -> None:
    response = await client.get(f"/v1/stream?{query.decode()}", headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalid_params"][0]["name"] == name


async def test_the_stream_ends_after_its_lifetime(database_url: str) -> None:
    """The bounded lifetime is what lets a client (or the contract fuzzer) finish a call."""
    from api.app import create_app

    app = create_app(Settings(database_url=database_url, stream_max_seconds=0.05))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await asyncio.wait_for(http.get("/v1/stream"), WAIT)
    assert response.status_code == 200
    assert response.text.startswith("retry: 3000\n\nid: ")


async def test_last_event_id_beats_the_since_of_the_url(
    app: Starlette, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    """A browser reconnects to the same URL (with its old `since`) plus Last-Event-ID."""
    async with Stream(app) as stream:
        start = await stream.position()
        first = (await create(client, writer, url="https://news.example/1")).json()
        assert (await stream.event())[1]["id"] == first["id"]
        seen = stream.last_id
    assert seen is not None
    second = (await create(client, writer, url="https://news.example/2")).json()
    query = f"since={start}".encode()
    async with Stream(app, query=query, headers={"Last-Event-ID": seen}) as resumed:
        assert (await resumed.event())[1]["id"] == second["id"]


async def test_a_stream_outlives_the_request_deadline(
    database_url: str, client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    # The deadline bounds a response until it starts; a stream's later reads are not cut
    # (on SQLite the statement guard also reads the request's deadline).
    settings = Settings(
        database_url=database_url, stream_max_seconds=300, request_timeout_seconds=1
    )
    streaming = create_app(settings)
    async with streaming.router.lifespan_context(streaming), Stream(streaming) as stream:
        await stream.position()
        await asyncio.sleep(1.5)
        created = (await create(client, writer)).json()
        kind, data, _ = await stream.event()
        assert (kind, data["id"]) == ("article.created", created["id"])
