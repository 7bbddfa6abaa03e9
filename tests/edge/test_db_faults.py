"""Database faults answer 503 problem+json (REST) or SERVICE_UNAVAILABLE (GraphQL), never 500."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time

import pytest

from api.db.database import Database
from api.domain.access.keys import create_key
from api.models import KeyScope
from tests.edge.conftest import EdgeClient
from tests.fixtures.server_process import assert_retryable_503

pytestmark = pytest.mark.anyio
ARTICLE = {
    "url": "https://news.example/locked",
    "title": "Written while the database is locked",
    "source": {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"},
    "published_at": "2026-05-01T12:00:00+02:00",
    "importance": 5,
    "summary": "A short summary.",
}

# Well formed, so the gate has to look it up.
FAKE_KEY = "bsk_" + "a" * 12 + "_" + "b" * 43


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _writer(database: Database) -> dict[str, str]:
    async with database.session(write=True) as session:
        _, token = await create_key(session, "writer", KeyScope.WRITE)
    return {"Authorization": f"Bearer {token}"}


# Search runs on the pooled engine on both databases (on SQLite, short reads run on the
# event loop's own connections instead, which never wait for a pool: see the next test).
SEARCH = "/v1/search?q=market"
GRAPHQL_SEARCH = '{ search(query: "market", first: 1) { edges { cursor } } }'


async def test_an_exhausted_pool_is_a_503_within_its_timeout(edge_client: EdgeClient) -> None:
    settings = {"pool_size": 1, "pool_max_overflow": 0, "pool_timeout_seconds": 0.5}
    async with edge_client(**settings) as (app, client):
        database: Database = app.state.db
        async with database.engine.connect():  # holds the only connection
            started = time.monotonic()
            response = await client.get(SEARCH)
            assert time.monotonic() - started < 3
            assert_retryable_503(response)
            assert "no database connection" in response.json()["detail"]
            graphql = await client.post("/graphql", json={"query": GRAPHQL_SEARCH})
            assert graphql.status_code == 503
            assert graphql.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert (await client.get(SEARCH)).status_code == 200


async def test_short_sqlite_reads_never_wait_for_the_pool(
    edge_client: EdgeClient, database_url: str
) -> None:
    """On SQLite the feed and the article page read on the loop's thread: a checkout that
    waited there would block the loop that gives connections back, so it never waits."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reads share the one pool (previous test)")
    settings = {"pool_size": 1, "pool_max_overflow": 0, "pool_timeout_seconds": 0.5}
    async with edge_client(**settings) as (app, client):
        database: Database = app.state.db
        assert database.loop_reads is not None
        async with database.engine.connect():  # the pooled engine is exhausted
            held = [database.loop_reads.connect() for _ in range(3)]  # more than pool_size
            try:
                feed = await asyncio.gather(*(client.get("/v1/articles") for _ in range(8)))
                graphql = await client.post("/graphql", json={"query": "{ sources { slug } }"})
            finally:
                for connection in held:
                    connection.close()
        assert [r.status_code for r in feed] == [200] * 8
        assert graphql.status_code == 200, graphql.text


async def test_an_unreachable_postgresql_is_a_503_in_both_doors(edge_client: EdgeClient) -> None:
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/nowhere"
    async with edge_client(database_url=url) as (_app, client):
        started = time.monotonic()
        assert_retryable_503(await client.get("/v1/articles"))
        for accept in ("application/json", "application/graphql-response+json"):
            graphql = await client.post(
                "/graphql", json={"query": "{ sources { slug } }"}, headers={"Accept": accept}
            )
            assert graphql.status_code == 503, graphql.text
            assert graphql.headers["retry-after"] == "1"
            assert graphql.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        # The access gate looks keys up in the database: that is a 503 too, not a 500.
        keyed = await client.get("/v1/articles", headers={"Authorization": "Bearer " + FAKE_KEY})
        assert_retryable_503(keyed)
        assert (await client.get("/readyz")).status_code == 503
        assert time.monotonic() - started < 10


async def test_database_is_locked_never_reaches_a_client_as_a_500(
    edge_client: EdgeClient, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    path = database_url.removeprefix("sqlite:///")  # this test's own copy
    async with edge_client(sqlite_busy_timeout_ms=200) as (app, client):
        writer = await _writer(app.state.db)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            response = await client.post("/v1/articles", json=ARTICLE, headers=writer)
            assert_retryable_503(response)
            mutation = 'mutation { deleteArticle(id: "QXJ0aWNsZTox") { __typename } }'
            graphql = await client.post("/graphql", json={"query": mutation}, headers=writer)
            assert graphql.status_code == 503, graphql.text
            assert graphql.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        created = await client.post("/v1/articles", json=ARTICLE, headers=writer)
        assert created.status_code == 201, created.text


async def test_a_write_retried_after_a_fault_runs_exactly_once(
    edge_client: EdgeClient, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock stands in for the outage (PostgreSQL: test_pg_outage)")
    path = database_url.removeprefix("sqlite:///")
    async with edge_client(sqlite_busy_timeout_ms=200) as (app, client):
        headers = {**await _writer(app.state.db), "Idempotency-Key": "retry-after-fault"}
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            assert_retryable_503(await client.post("/v1/articles", json=ARTICLE, headers=headers))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        first = await client.post("/v1/articles", json=ARTICLE, headers=headers)
        assert first.status_code == 201, first.text
        again = await client.post("/v1/articles", json=ARTICLE, headers=headers)
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        listed = (await client.get("/v1/articles")).json()["items"]
        assert len(listed) == 1
