"""The reference VCL (deploy/varnish/broadsheet.vcl) in a real Varnish in front of a real
``broadsheet serve``: cache hits, purge on write, stale-if-error.

These run on SQLite only: what they prove is the HTTP conversation between the app, its
purge worker and Varnish, which is the same whatever database sits behind the app (the
outbox rows the purges come from are tested on both databases in tests/domain/purges).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.db.database import Database, create_async_db_engine
from api.settings import Settings
from tests.fixtures.server_process import free_port, start_server, wait_until_up
from tests.fixtures.varnish import Varnish, running_varnish
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio
FRESH_WITHIN = 1.0


@dataclass
class Stack:
    varnish: Varnish
    cache: httpx.AsyncClient  # through Varnish
    app_base: str
    server: Any
    writer: dict[str, str]
    database_path: Path


@asynccontextmanager
async def cached_app(tmp_path: Path, **env: str) -> AsyncIterator[Stack]:
    """Varnish on one port in front of ``broadsheet serve`` on another, the app purging it."""
    varnish_port, app_port = free_port(), free_port()
    purge_env = {
        "BROADSHEET_CACHE_PURGE_URLS": f'["http://127.0.0.1:{varnish_port}/"]',
        # The test session turns the in-process workers off (tests/conftest.py): on here.
        "BROADSHEET_WEBHOOK_WORKER": "true",
    }
    async with AsyncExitStack() as stack:
        varnish = stack.enter_context(running_varnish(tmp_path, varnish_port, app_port))
        server = await asyncio.to_thread(start_server, tmp_path, app_port, **(purge_env | env))
        stack.callback(_stop, server)
        app_base = f"http://127.0.0.1:{app_port}"
        await wait_until_up(app_base, server)
        database = Database(
            create_async_db_engine(Settings(database_url=f"sqlite:///{tmp_path / 'serve.db'}"))
        )
        writer = await key_headers(database)
        await database.dispose()
        cache = await stack.enter_async_context(
            httpx.AsyncClient(base_url=varnish.base_url, timeout=10)
        )
        await _until_backend_healthy(cache)
        yield Stack(varnish, cache, app_base, server, writer, tmp_path / "serve.db")


def _stop(server: Any) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(15)
        except Exception:
            server.kill()
            server.wait()


async def _until_backend_healthy(cache: httpx.AsyncClient) -> None:
    # Varnish's probe may have marked the app sick while it started.
    deadline = time.monotonic() + 20
    while (await cache.get("/healthz")).status_code != 200:
        assert time.monotonic() < deadline, "Varnish never reached the app"
        await asyncio.sleep(0.2)


async def _create(stack: Stack, url: str, title: str) -> dict[str, Any]:
    response = await stack.cache.post(
        "/v1/articles", json=payload(url=url, title=title), headers=stack.writer
    )
    assert response.status_code == 201, response.text
    # The create's own purge must land before the test fills the cache, or it would empty
    # the cache again behind the test's back.
    await _purges_sent(stack)
    return {"etag": response.headers["etag"], **response.json()}


async def _purges_sent(stack: Stack) -> None:
    """Until the app's purge outbox is empty: every purge so far reached Varnish."""
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(stack.database_path) as connection:
            (left,) = connection.execute("SELECT count(*) FROM cache_purges").fetchone()
        if left == 0:
            return
        assert time.monotonic() < deadline, f"{left} purges still unsent after 10 s"
        await asyncio.sleep(0.02)


async def test_a_feed_page_is_served_from_the_cache_on_the_second_hit(tmp_path: Path) -> None:
    async with cached_app(tmp_path) as stack:
        await _create(stack, "https://news.example/one", "First story")
        hits_before = stack.varnish.counter("MAIN.cache_hit")
        first = await stack.cache.get("/v1/articles", params={"limit": 5})
        second = await stack.cache.get("/v1/articles", params={"limit": 5})
        assert first.status_code == second.status_code == 200
        assert first.headers["x-cache"] == "MISS"
        assert second.headers["x-cache"] == "HIT"
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        # Varnish publishes its counters shortly after each request.
        deadline = time.monotonic() + 5
        while stack.varnish.counter("MAIN.cache_hit") < hits_before + 1:
            assert time.monotonic() < deadline, "varnishstat never counted the hit"
            await asyncio.sleep(0.1)
        assert stack.varnish.counter("MAIN.cache_hit") == hits_before + 1
        # The app's own headers came through; its xkey index header did not.
        assert "s-maxage=" in second.headers["cache-control"]
        assert "feed" in second.headers["surrogate-key"].split()
        assert "xkey" not in second.headers


@pytest.mark.parametrize("method", ["PURGE", "BAN"])
async def test_a_patch_makes_the_page_and_feeds_fresh_within_a_second(
    tmp_path: Path, method: str
) -> None:
    async with cached_app(tmp_path, BROADSHEET_CACHE_PURGE_METHOD=method) as stack:
        created = await _create(stack, "https://news.example/two", "Old headline")
        page, feed = f"/v1/articles/{created['id']}", "/v1/articles"
        filtered: dict[str, str | int] | None = {"source": "wire", "limit": 10}
        for path, params in ((page, None), (feed, None), (feed, filtered)):
            await stack.cache.get(path, params=params)
            cached = await stack.cache.get(path, params=params)
            assert cached.headers["x-cache"] == "HIT", path
            assert "Old headline" in cached.text
        patched = await stack.cache.patch(
            page,
            json={"title": "New headline"},
            headers=stack.writer | {"If-Match": created["etag"]},
        )
        assert patched.status_code == 200, patched.text
        written = time.monotonic()
        stale: set[str] = {"page", "feed", "filtered"}
        while stale:
            elapsed = time.monotonic() - written
            assert elapsed < FRESH_WITHIN, f"still stale after {elapsed:.2f}s: {sorted(stale)}"
            for name, path, params in (
                ("page", page, None),
                ("feed", feed, None),
                ("filtered", feed, filtered),
            ):
                if (
                    name in stale
                    and "New headline" in (await stack.cache.get(path, params=params)).text
                ):
                    stale.discard(name)
            await asyncio.sleep(0.02)
        # Fresh, and cached again from then on.
        await _purges_sent(stack)
        await stack.cache.get(page)
        again = await stack.cache.get(page)
        assert again.headers["x-cache"] == "HIT" and "New headline" in again.text


async def test_stale_if_error_serves_the_last_copy_while_the_app_is_down(
    tmp_path: Path,
) -> None:
    short = "max-age=0, s-maxage=1, stale-while-revalidate=1, stale-if-error=3600"
    async with cached_app(tmp_path, BROADSHEET_CACHE_FEED=short) as stack:
        await _create(stack, "https://news.example/three", "Still here")
        first = await stack.cache.get("/v1/articles")
        assert first.status_code == 200 and first.headers["x-cache"] == "MISS"
        _stop(stack.server)
        async with httpx.AsyncClient(base_url=stack.app_base) as direct:
            with pytest.raises(httpx.TransportError):
                await direct.get("/healthz")
        # Past s-maxage and stale-while-revalidate: only stale-if-error allows this copy.
        await asyncio.sleep(2.5)
        for _ in range(3):
            served = await stack.cache.get("/v1/articles")
            assert served.status_code == 200, served.text
            assert served.content == first.content
            assert served.headers["x-cache"] == "HIT"
            assert int(served.headers["age"]) >= 2
        # Nothing was ever cached for a page nobody read: that one fails.
        missing = await stack.cache.get("/v1/articles", params={"limit": 3})
        assert missing.status_code == 503
