"""Read replicas against a real streaming standby (a private primary + ``pg_basebackup -R``).

Statements are counted per server (the primary's engines and driver path, the replica's),
so each test shows where a read was served. Replay is paused on the standby to prove a
writer still reads its write back at once (on the primary) while a client without the
position reads the replica; the standby is stopped to prove reads fall back to the primary
with no error, and started again to prove the replica is used again. REST and GraphQL.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import event

from api.app import create_app
from api.db import migrate
from api.db.database import Database
from api.db.replicas import POSITION_COOKIE, POSITION_HEADER, Replicas
from api.domain.changes.log import changes_cursor
from api.settings import Settings
from tests.fixtures.graphql_writes import to_input
from tests.fixtures.pg_cluster import Cluster, server_binaries, standby_of
from tests.fixtures.writes import key_headers, payload

BINARIES = server_binaries()
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(BINARIES is None, reason="PostgreSQL server binaries not installed"),
]
CREATE = """mutation($input: ArticleInput!) { createArticle(input: $input) {
  __typename ... on ArticleMutationSuccess { position article { articleId } } } }"""
ARTICLE = "query($id: ID!) { article(id: $id) { id title } }"
FEED = "{ articles(first: 5) { edges { node { id title } } } }"


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    assert BINARIES is not None
    primary = Cluster(BINARIES)
    standby: Cluster | None = None
    try:
        primary.init()
        primary.start()
        with psycopg.connect(primary.url(), autocommit=True, connect_timeout=10) as admin:
            admin.execute("CREATE DATABASE broadsheet")
        migrate.upgrade(primary.url("broadsheet"))
        standby = standby_of(primary)
        standby.start()
        yield primary, standby
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


def _standby_sql(standby: Cluster, sql: str) -> Any:
    with psycopg.connect(standby.url("broadsheet"), autocommit=True, connect_timeout=10) as db:
        row = db.execute(sql).fetchone()
        return None if row is None else row[0]


@pytest.fixture
async def app(clusters: tuple[Cluster, Cluster]) -> AsyncIterator[Any]:
    primary, standby = clusters
    if _standby_sql(standby, "SELECT pg_is_wal_replay_paused()"):
        _standby_sql(standby, "SELECT pg_wal_replay_resume()")
    settings = Settings(
        database_url=primary.url("broadsheet"),
        replica_urls=[standby.url("broadsheet")],
        replica_max_lag_seconds=300,  # a paused standby stays in use unless a test lowers it
        replica_check_seconds=0.2,
        rate_limit_enabled=False,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _replicas(app: Any) -> Replicas:
    database: Database = app.state.db
    assert database.replicas is not None
    return database.replicas


@contextmanager
def served_by(app: Any) -> Iterator[Counter[str]]:
    """Statements sent while inside, counted per server: "primary" or "replica"."""
    database: Database = app.state.db
    replica = _replicas(app).replicas[0]
    counts: Counter[str] = Counter()
    engines = [(database.engine.sync_engine, "primary"), (replica.engine.sync_engine, "replica")]
    drivers = [(database.driver_reads, "primary"), (replica.reads, "replica")]
    hooks: list[tuple[Any, Any]] = []
    for engine, where in engines:

        def on_execute(*_args: Any, where: str = where) -> None:
            counts[where] += 1

        event.listen(engine, "before_cursor_execute", on_execute)
        hooks.append((engine, on_execute))
    listeners = []
    for driver, where in drivers:
        assert driver is not None

        def on_driver(_sql: str, where: str = where) -> None:
            counts[where] += 1

        driver.listeners.append(on_driver)
        listeners.append((driver, on_driver))
    try:
        yield counts
    finally:
        for engine, hook in hooks:
            event.remove(engine, "before_cursor_execute", hook)
        for driver, listener in listeners:
            driver.listeners.remove(listener)


async def _caught_up(app: Any, position: int, within: float = 20.0) -> None:
    """Until the replica is in use and has applied ``position``."""
    replicas = _replicas(app)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        await replicas.check_now()
        replica = replicas.replicas[0]
        if replica.healthy and replica.applied >= position:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the replica did not reach position {position} in {within} s")


def _plain_id(global_id: str) -> str:
    try:
        return base64.b64decode(global_id, validate=True).decode()
    except ValueError:
        return global_id


async def _reads(client: httpx.AsyncClient, article_id: str, **headers: str) -> dict[str, int]:
    """The article and the feed by REST and GraphQL: their statuses and what they found."""
    page = await client.get(f"/v1/articles/{article_id}", headers=headers)
    feed = await client.get("/v1/articles", params={"limit": 5}, headers=headers)
    assert feed.status_code == 200, feed.text
    one = await client.post(
        "/graphql", json={"query": ARTICLE, "variables": {"id": article_id}}, headers=headers
    )
    many = await client.post("/graphql", json={"query": FEED}, headers=headers)
    assert one.status_code == 200 and many.status_code == 200, (one.text, many.text)
    assert "errors" not in many.json(), many.text
    rest_ids = [item["id"] for item in feed.json()["items"]]
    gql_ids = [edge["node"]["id"] for edge in many.json()["data"]["articles"]["edges"]]
    return {
        "rest_page": page.status_code,
        "rest_feed": int(article_id in rest_ids),
        "gql_page": int((one.json().get("data") or {}).get("article") is not None),
        "gql_feed": int(any(article_id in _plain_id(gid) for gid in gql_ids)),
    }


async def _write(client: httpx.AsyncClient, writer: dict[str, str], n: int) -> tuple[str, int]:
    created = await client.post(
        "/v1/articles", json=payload(f"https://news.example/replica/{n}"), headers=writer
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], int(created.headers[POSITION_HEADER])


FOUND = {"rest_page": 200, "rest_feed": 1, "gql_page": 1, "gql_feed": 1}
MISSING = {"rest_page": 404, "rest_feed": 0, "gql_page": 0, "gql_feed": 0}


async def test_reads_are_served_by_the_replica(app: Any, client: httpx.AsyncClient) -> None:
    writer = await key_headers(app.state.db)
    article_id, position = await _write(client, writer, 1)
    await _caught_up(app, position)
    client.cookies.clear()
    with served_by(app) as counts:
        assert await _reads(client, article_id) == FOUND
        search = await client.get("/v1/search", params={"q": "export ban"})
        assert search.status_code == 200, search.text
        assert article_id in [hit["article"]["id"] for hit in search.json()["items"]], search.text
    assert counts["replica"] >= 5 and counts["primary"] == 0, counts
    with served_by(app) as counts:  # the live stream's catch-up (it ends after 0.05 s here)
        stream = await client.get("/v1/stream", params={"since": changes_cursor(0)})
        assert stream.status_code == 200 and f"id: {changes_cursor(position)}" in stream.text
    assert counts["replica"] > 0 and counts["primary"] == 0, counts


async def test_a_writer_reads_its_write_back_while_replay_is_paused(
    app: Any, client: httpx.AsyncClient, clusters: tuple[Cluster, Cluster]
) -> None:
    writer = await key_headers(app.state.db)
    _, standby = clusters
    await _caught_up(app, 0)
    _standby_sql(standby, "SELECT pg_wal_replay_pause()")
    # REST write: its answer names the position, in a header and in a cookie.
    article_id, position = await _write(client, writer, 2)
    assert client.cookies.get(POSITION_COOKIE) == str(position)
    sent = {POSITION_HEADER: str(position)}
    with served_by(app) as counts:
        assert await _reads(client, article_id, **sent) == FOUND  # by the header
    assert counts["primary"] > 0 and counts["replica"] == 0, counts
    with served_by(app) as counts:
        assert await _reads(client, article_id) == FOUND  # by the cookie the write set
    assert counts["primary"] > 0 and counts["replica"] == 0, counts
    client.cookies.clear()
    with served_by(app) as counts:  # no position: the (paused) replica, without the write
        assert await _reads(client, article_id) == MISSING
    assert counts["replica"] > 0 and counts["primary"] == 0, counts

    # A key made now works at once: keys are looked up on the primary.
    fresh = await key_headers(app.state.db)
    _, fresh_position = await _write(client, fresh, 6)
    assert fresh_position > position

    # GraphQL write: the position is in the mutation's result too.
    variables = {"input": to_input(payload("https://news.example/replica/3"))}
    created = await client.post(
        "/graphql", json={"query": CREATE, "variables": variables}, headers=writer
    )
    result = created.json()["data"]["createArticle"]
    assert result["__typename"] == "ArticleMutationSuccess", created.text
    gql_position = result["position"]
    assert created.headers[POSITION_HEADER] == gql_position and int(gql_position) > position
    new_id = result["article"]["articleId"]
    client.cookies.clear()
    found = await client.post(
        "/graphql",
        json={"query": ARTICLE, "variables": {"id": new_id}},
        headers={POSITION_HEADER: gql_position},
    )
    assert found.json()["data"]["article"]["id"] is not None, found.text
    unseen = await client.post("/graphql", json={"query": ARTICLE, "variables": {"id": new_id}})
    assert unseen.json()["data"]["article"] is None

    # Replay resumed: once the replica has applied the position, it serves the writer too.
    _standby_sql(standby, "SELECT pg_wal_replay_resume()")
    await _caught_up(app, int(gql_position))
    with served_by(app) as counts:
        assert await _reads(client, article_id, **sent) == FOUND
    assert counts["replica"] > 0 and counts["primary"] == 0, counts


async def test_a_replica_lagging_past_the_limit_is_skipped(
    app: Any, client: httpx.AsyncClient, clusters: tuple[Cluster, Cluster]
) -> None:
    writer = await key_headers(app.state.db)
    _, standby = clusters
    await _caught_up(app, 0)
    _standby_sql(standby, "SELECT pg_wal_replay_pause()")
    article_id, _ = await _write(client, writer, 4)
    replicas = _replicas(app)
    replicas.max_lag = 0.5
    await asyncio.sleep(1.0)  # the paused standby falls more than 0.5 s behind
    await replicas.check_now()
    assert not replicas.replicas[0].healthy
    client.cookies.clear()
    with served_by(app) as counts:  # no position, yet the write is seen: the primary served
        assert await _reads(client, article_id) == FOUND
    assert counts["primary"] > 0 and counts["replica"] == 0, counts
    _standby_sql(standby, "SELECT pg_wal_replay_resume()")
    replicas.max_lag = 300


async def test_a_stopped_standby_costs_no_request_an_error(
    app: Any, client: httpx.AsyncClient, clusters: tuple[Cluster, Cluster]
) -> None:
    writer = await key_headers(app.state.db)
    _, standby = clusters
    article_id, position = await _write(client, writer, 5)
    await _caught_up(app, position)
    client.cookies.clear()
    with served_by(app) as counts:  # warm the replica's pools: they hold connections now
        assert await _reads(client, article_id) == FOUND
    assert counts["replica"] > 0, counts
    standby.stop()
    try:
        # At once, before any health check noticed: every read still answers, the
        # primary serving what the replica could not.
        for _ in range(3):
            with served_by(app) as counts:
                assert await _reads(client, article_id) == FOUND
            assert counts["primary"] > 0, counts
        await asyncio.sleep(0.5)  # a health check has run: the replica is skipped outright
        assert not _replicas(app).replicas[0].healthy
        with served_by(app) as counts:
            assert await _reads(client, article_id) == FOUND
        assert counts["primary"] > 0 and counts["replica"] == 0, counts
    finally:
        standby.start()
    await _caught_up(app, position)
    with served_by(app) as counts:
        assert await _reads(client, article_id) == FOUND
    assert counts["replica"] > 0 and counts["primary"] == 0, counts
