"""The purge outbox and its worker (both databases): rows written with each committed
change, one purge per cache endpoint and batch, retries with backoff until the cache
answers, and keys split to fit a header."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from api.db.database import Database
from api.domain.purges import MAX_KEY_HEADER_BYTES, PurgeWorker
from api.domain.purges.keys import chunks
from api.domain.purges.worker import PurgeClaim
from api.models import CachePurge
from api.settings import Settings, get_settings
from tests.fixtures.writes import create

pytestmark = pytest.mark.anyio
CACHES = ["http://cache-a.test/", "http://cache-b.test/"]
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def purge_urls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Cache endpoints in this process's settings (where the outbox reads them)."""
    monkeypatch.setenv("BROADSHEET_CACHE_PURGE_URLS", '["' + '", "'.join(CACHES) + '"]')
    get_settings.cache_clear()
    yield CACHES
    get_settings.cache_clear()


@pytest.fixture
def purge_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "cache_purge_urls": CACHES,
            "cache_purge_backoff_base_seconds": 0.0,  # due again at once: retries in-test
            "cache_purge_max_attempts": 3,
        }
    )


async def rows(database: Database) -> list[CachePurge]:
    async with database.session() as session:
        found = await session.scalars(select(CachePurge).order_by(CachePurge.target))
        return list(found.all())


class Cache:
    """A cache endpoint that answers each purge with the next status (then 200s)."""

    def __init__(self, *statuses: int | Exception) -> None:
        self.statuses = list(statuses)
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        if isinstance(status, Exception):
            raise status
        return httpx.Response(status, text="ok")

    def worker(self, database: Database, settings: Settings, **kw: Any) -> PurgeWorker:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return PurgeWorker(database, settings, client=client, **kw)


async def test_a_committed_write_queues_one_purge_per_cache_with_its_keys(
    client: httpx.AsyncClient, writer: dict[str, str], database: Database, purge_urls: list[str]
) -> None:
    article = (await create(client, writer)).json()
    queued = await rows(database)
    assert [row.target for row in queued] == purge_urls
    for row in queued:
        assert row.status == "pending" and row.attempts == 0
        # The article, and the source and entity its create made; "feed" for every list.
        assert set(row.keys) == {f"article-{article['id']}", "feed", "source-wire", "entity-acme"}
    patched = await client.patch(
        f"/v1/articles/{article['id']}",
        json={"title": "Another title"},
        headers=writer
        | {"If-Match": (await client.get(f"/v1/articles/{article['id']}")).headers["etag"]},
    )
    assert patched.status_code == 200
    later = [
        row for row in await rows(database) if row.keys == [f"article-{article['id']}", "feed"]
    ]
    assert len(later) == len(purge_urls)


async def test_nothing_is_queued_without_cache_endpoints(
    client: httpx.AsyncClient, writer: dict[str, str], database: Database
) -> None:
    get_settings.cache_clear()
    assert not get_settings().cache_purge_urls
    await create(client, writer)
    assert await rows(database) == []


async def test_a_refused_write_queues_nothing(
    client: httpx.AsyncClient, writer: dict[str, str], database: Database, purge_urls: list[str]
) -> None:
    await create(client, writer)
    before = len(await rows(database))
    again = await client.post(
        "/v1/articles", json={"url": "https://news.example/a", "title": "dup"}, headers=writer
    )
    assert again.status_code in (409, 422)
    assert len(await rows(database)) == before


async def test_a_cache_that_fails_then_answers_gets_the_purge_on_retry(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    database: Database,
    purge_urls: list[str],
    purge_settings: Settings,
) -> None:
    article = (await create(client, writer)).json()
    cache = Cache(503, httpx.ConnectError("refused"))
    worker = cache.worker(database, purge_settings)
    try:
        assert await worker.run_once() == 2  # one row per endpoint
        failed = await rows(database)
        # The first endpoint's purge met the 503, the second's the refused connection.
        by_target = {row.target: row for row in failed}
        assert {row.attempts for row in failed} == {1}
        assert {row.status for row in failed} == {"pending"}
        codes = {row.last_status_code for row in by_target.values()}
        errors = {row.last_error for row in by_target.values()}
        assert codes == {503, None} and "HTTP 503" in errors
        assert any(e and e.startswith("ConnectError") for e in errors)
        assert await worker.run_once() == 2  # due again at once (backoff base 0)
        assert await rows(database) == []  # sent: the rows are gone
    finally:
        await worker.aclose()
    assert len(cache.seen) == 4
    last = cache.seen[-1]
    assert last.method == "PURGE"
    assert set(last.headers["xkey-purge"].split()) >= {f"article-{article['id']}", "feed"}


async def test_a_purge_that_keeps_failing_ends_dead_and_stays_visible(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    database: Database,
    purge_urls: list[str],
    purge_settings: Settings,
) -> None:
    await create(client, writer)
    cache = Cache(*[500] * 10)
    worker = cache.worker(database, purge_settings)
    try:
        for _ in range(purge_settings.cache_purge_max_attempts):
            assert await worker.run_once() == 2
        assert await worker.run_once() == 0  # dead rows are not claimed again
    finally:
        await worker.aclose()
    assert {(r.status, r.attempts) for r in await rows(database)} == {("dead", 3)}


async def test_backoff_keeps_a_failed_purge_waiting(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    database: Database,
    purge_urls: list[str],
    purge_settings: Settings,
) -> None:
    await create(client, writer)
    slow = purge_settings.model_copy(
        update={"cache_purge_backoff_base_seconds": 600.0, "cache_purge_backoff_max_seconds": 600.0}
    )
    cache = Cache(503, 503)
    worker = cache.worker(database, slow)
    try:
        await worker.run_once()
        # Full jitter may pick a tiny delay; a zero one would be due at once.
        due_later = [row for row in await rows(database) if row.next_attempt_at > row.created_at]
        assert len(due_later) == 2
        assert all(row.lease_owner is None and row.status == "pending" for row in due_later)
    finally:
        await worker.aclose()


async def test_a_batch_of_writes_goes_out_as_one_purge_per_cache(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    database: Database,
    purge_urls: list[str],
    purge_settings: Settings,
) -> None:
    ids = [
        (await create(client, writer, url=f"https://news.example/{n}")).json()["id"]
        for n in range(3)
    ]
    ban = purge_settings.model_copy(
        update={"cache_purge_method": "BAN", "cache_purge_header": "x-purge-keys"}
    )
    cache = Cache()
    worker = cache.worker(database, ban)
    try:
        assert await worker.run_once() == 6
    finally:
        await worker.aclose()
    assert sorted(str(r.url) for r in cache.seen) == sorted(purge_urls)
    for request in cache.seen:
        assert request.method == "BAN"
        keys = request.headers["x-purge-keys"].split()
        assert len(keys) == len(set(keys))
        assert {f"article-{i}" for i in ids} | {"feed"} <= set(keys)
    assert await rows(database) == []


def test_keys_split_into_requests_that_fit_a_header() -> None:
    keys = [f"article-{n:036d}" for n in range(400)]
    groups = chunks(keys + keys[:10])
    assert [k for group in groups for k in group] == keys
    assert all(len(" ".join(group).encode()) <= MAX_KEY_HEADER_BYTES for group in groups)
    assert len(groups) == 5


class CountingWorker(PurgeWorker):
    claims = 0

    async def claim(self) -> list[PurgeClaim]:
        self.claims += 1
        return await super().claim()


async def test_a_commit_wakes_the_worker_and_its_own_commits_do_not(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    app: Starlette,
    purge_urls: list[str],
    purge_settings: Settings,
) -> None:
    database: Database = app.state.db
    cache = Cache()
    patient = purge_settings.model_copy(update={"cache_purge_poll_seconds": 60.0})
    worker = CountingWorker(
        database, patient, client=httpx.AsyncClient(transport=httpx.MockTransport(cache))
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop, wake_on_commit=True))
    try:
        await asyncio.sleep(0.3)
        assert worker.claims == 0  # nothing due: not even a claim's write transaction
        await create(client, writer)
        deadline = time.monotonic() + 5  # woken by the commit, long before the 60 s poll
        while await rows(database):
            assert time.monotonic() < deadline, "the commit did not wake the worker"
            await asyncio.sleep(0.02)
        assert len(cache.seen) == 2
        settled = worker.claims
        await asyncio.sleep(0.5)
        assert worker.claims == settled  # its own claim and delete did not wake it again
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
        await worker.aclose()
