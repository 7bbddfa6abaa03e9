"""PostgreSQL stopped for 5 s under load: only 503s while it is gone, back within 2 s.

A private cluster (tests/edge/pg_cluster.py) serves the app in-process. Readers and
writers (each write with its own Idempotency-Key) run throughout; the cluster is stopped
(``pg_ctl stop -m fast``), kept down 5 s and started again. Failed writes are then retried
with their key: every write must end up stored exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from api.app import create_app
from api.db import migrate
from api.db.database import Database
from api.domain.access.keys import create_key
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.pg_cluster import Cluster, server_binaries

BINARIES = server_binaries()
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(BINARIES is None, reason="PostgreSQL server binaries not installed"),
]
CLIENTS = 8
OUTAGE_SECONDS = 5.0
RECOVERY_SECONDS = 2.0
REQUEST_TIMEOUT = 10.0  # a request slower than this is a hang


@dataclass
class Outcome:
    started: float
    kind: str
    status: int
    problem: bool
    retry_after: str | None
    detail: str
    ended: float


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    assert BINARIES is not None
    private = Cluster(BINARIES)
    try:
        private.init()
        private.start()
        with psycopg.connect(private.url(), autocommit=True, connect_timeout=10) as admin:
            admin.execute("CREATE DATABASE broadsheet")
        migrate.upgrade(private.url("broadsheet"))
        yield private
    finally:
        private.destroy()


@pytest.fixture
async def client(cluster: Cluster) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=cluster.url("broadsheet"), rate_limit_enabled=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            database: Database = app.state.db
            async with database.session(write=True) as session:
                _, token = await create_key(session, "outage writer", KeyScope.WRITE)
            http.headers["Authorization"] = f"Bearer {token}"
            yield http


def article(n: int) -> dict[str, Any]:
    return {
        "url": f"https://news.example/outage/{n}",
        "title": f"Written under fire, number {n}",
        "source": {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"},
        "published_at": "2026-05-01T12:00:00+02:00",
        "importance": 5,
        "summary": "A short summary.",
    }


async def test_an_outage_gives_only_503s_and_recovers_within_2_s(
    cluster: Cluster, client: httpx.AsyncClient
) -> None:
    first = await client.post("/v1/articles", json=article(0), headers={"Idempotency-Key": "w0"})
    assert first.status_code == 201, first.text
    outcomes: list[Outcome] = []
    unacknowledged: set[int] = set()
    counter = iter(range(1, 1_000_000))
    stop_at = [float("inf")]

    async def call(kind: str, n: int) -> None:
        started = time.monotonic()
        try:
            if kind == "write":
                headers = {"Idempotency-Key": f"w{n}"}
                request = client.post("/v1/articles", json=article(n), headers=headers)
            else:
                request = client.get("/v1/articles", params={"limit": 5})
            response = await asyncio.wait_for(request, REQUEST_TIMEOUT)
        except TimeoutError:
            pytest.fail(f"a {kind} hung for {REQUEST_TIMEOUT} s")
        problem = response.headers.get("content-type") == "application/problem+json"
        detail = response.json().get("detail", "") if problem else ""
        outcomes.append(
            Outcome(
                started,
                kind,
                response.status_code,
                problem,
                response.headers.get("retry-after"),
                detail,
                time.monotonic(),
            )
        )
        if kind == "write" and response.status_code != 201:
            unacknowledged.add(n)

    async def load(worker: int) -> None:
        turn = 0
        while time.monotonic() < stop_at[0]:
            turn += 1
            await call("write" if (worker + turn) % 3 == 0 else "read", next(counter))
            await asyncio.sleep(0.02)

    workers = [asyncio.create_task(load(w)) for w in range(CLIENTS)]
    try:
        await asyncio.sleep(1.5)
        down_at = time.monotonic()
        await asyncio.to_thread(cluster.stop)
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(cluster.start)
        up_at = time.monotonic()
        stop_at[0] = up_at + RECOVERY_SECONDS + 4
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()

    failures = [o for o in outcomes if o.status not in (200, 201)]
    assert failures, "the outage was not noticed: is the app talking to the private cluster?"
    for failure in failures:  # never a 500, never another status, always retryable
        assert failure.status == 503 and failure.problem and failure.retry_after, failure
    # A request in flight when the server went away may fail; none may fail before it.
    early = [o for o in failures if o.ended < down_at]
    assert not early, f"failures before the outage: {early[:3]}"
    recovered = [o for o in outcomes if o.started >= up_at + RECOVERY_SECONDS]
    ok = sum(o.status in (200, 201) for o in recovered)
    assert len(recovered) >= 50
    assert ok / len(recovered) >= 0.99, f"{ok}/{len(recovered)} after recovery"
    first_ok = min(o.started for o in outcomes if o.started >= up_at and o.status in (200, 201))
    print(f"\nfirst success {first_ok - up_at:.3f} s after restart; {len(failures)} 503s")

    # Retried with the same key, every unacknowledged write is stored now, exactly once.
    for n in sorted(unacknowledged):
        retry = await client.post(
            "/v1/articles", json=article(n), headers={"Idempotency-Key": f"w{n}"}
        )
        assert retry.status_code == 201, retry.text
    with psycopg.connect(cluster.url("broadsheet"), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT count(*), count(DISTINCT url) FROM articles WHERE url LIKE %s",
            ("https://news.example/outage/%",),
        ).fetchone()
    written = sum(1 for o in outcomes if o.kind == "write") + 1
    assert rows == (written, written), f"{rows} rows for {written} writes"
