"""Stores for the portability tests: a second database, a corpus with every kind of row,
and what clients read from a store through both doors."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from click.testing import CliRunner, Result

from api.app import create_app
from api.cli.commands import main
from api.db.database import create_sync_db_engine
from api.demo import generate_demo
from api.settings import Settings, get_settings
from tests.fixtures.databases import CREATE_DATABASE
from tests.fixtures.webhook_receiver import loopback_settings

POSTGRES_ADMIN_URL = os.environ.get(
    "BROADSHEET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """A database with no schema at all (at base), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'other-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"broadsheet_port_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(CREATE_DATABASE.format(name=name))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def other_backend(url: str) -> str:
    return "postgresql" if url.startswith("sqlite") else "sqlite"


def run_cli(database_url: str, *args: str, stdin: bytes | None = None) -> Result:
    # get_settings() is cached per process: clear it so DATABASE_URL is read from env.
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url}, input=stdin)
    finally:
        get_settings.cache_clear()


def seed_demo(url: str, articles: int = 40) -> None:
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    try:
        generate_demo(engine, articles=articles, seed=5, if_empty=False, progress=False)
    finally:
        engine.dispose()


@asynccontextmanager
async def serving(url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(loopback_settings(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def write_corpus(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """On top of the demo rows: keys (one revoked), a webhook with pending deliveries, an
    idempotent create, links, an update and a delete. Returns what the views need."""
    from api.db.database import Database, create_async_db_engine
    from api.domain.access.keys import create_key, revoke_key
    from api.models import KeyScope

    database = Database(create_async_db_engine(Settings(database_url=url)))
    try:
        async with database.session(write=True) as session:
            _, admin_token = await create_key(session, "admin", KeyScope.ADMIN)
            revoked, _ = await create_key(session, "old", KeyScope.WRITE)
            await revoke_key(session, revoked.key_id)
    finally:
        await database.dispose()
    admin = {"Authorization": f"Bearer {admin_token}"}
    hook = await client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=admin)
    assert hook.status_code == 201, hook.text
    before = (await client.get("/v1/changes", params={"limit": 1000})).json()["next_cursor"]
    first = await client.post(
        "/v1/articles",
        json=article_body("https://news.example/a", "Chip maker faces export ban"),
        headers=admin | {"Idempotency-Key": "create-a"},
    )
    assert first.status_code == 201, first.text
    link = {"url": "https://news.example/a", "kind": "follow_up", "score": 0.30000000000000004}
    second = await client.post(
        "/v1/articles",
        json=article_body("https://news.example/b", "Export ban widens", links=[link]),
        headers=admin,
    )
    assert second.status_code == 201, second.text
    public_id = first.json()["id"]
    patched = await client.patch(
        f"/v1/articles/{public_id}",
        json={"importance": 9, "author": None},
        headers=admin | {"If-Match": first.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    feed = (await client.get("/v1/articles", params={"limit": 50})).json()["items"]
    victim = feed[-1]["id"]
    gone = await client.delete(f"/v1/articles/{victim}", headers=admin)
    assert gone.status_code in (200, 204), gone.text
    return {
        "admin": admin,
        "since": before,
        "article": second.json()["slug"],
        "deleted": victim,
        "webhook": hook.json()["id"],
    }


def article_body(url: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "url": url,
        "title": title,
        "source": {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"},
        "category": {"slug": "policy", "name": "Policy", "icon": "P"},
        "published_at": "2026-05-01T12:00:00.123456+02:00",
        "importance": 7,
        "sentiment_score": 0.1,
        "summary": "A short machine-written summary about chips.",
        "author": "Desk",
        "analysis": ["First paragraph.", "Second ¶ with ünïcode."],
        "key_takeaways": ["One"],
        "mentions": [
            {"entity": {"slug": "acme", "name": "Acme Corp", "type": "company"}, "salience": 0.9}
        ],
    } | extra


GRAPHQL_FEED = (
    "{ articles(first: 30) { pageInfo { hasNextPage endCursor } nodes { articleId slug title"
    " url author publishedAt updatedAt version importance sentimentScore analysis"
    " keyTakeaways source { slug name } category { slug } mentions { salience entity { slug"
    " name } } relatedLinks { kind score article { slug } } } } }"
)


GRAPHQL_ENTITY = (
    '{ entity(slug: "acme") { slug name mentionCount'
    " articles(first: 5) { nodes { slug version } } } }"
)


async def client_views(client: httpx.AsyncClient, facts: dict[str, Any]) -> dict[str, Any]:
    """Status, ETag and body of representative reads: what a copy must answer the same."""
    admin = facts["admin"]
    first_page = await client.get("/v1/articles", params={"limit": 20})
    paths = [
        "/v1/articles?limit=20",
        f"/v1/articles?limit=20&cursor={first_page.json()['next_cursor']}",
        f"/v1/articles/{facts['article']}",
        f"/v1/articles/{facts['deleted']}",
        "/v1/entities/acme",
        "/v1/sources/wire",
        "/v1/categories",
        f"/v1/changes?since={facts['since']}",
        f"/v1/webhooks/{facts['webhook']}",
    ]
    views: dict[str, Any] = {}
    for path in paths:
        answer = await client.get(path, headers=admin)
        views[path] = (answer.status_code, answer.headers.get("etag"), answer.json())
    # Delivery payloads are written in jsonb's key order, so they read back as the same
    # bytes from either database: the same ETag.
    deliveries = await client.get(f"/v1/webhooks/{facts['webhook']}/deliveries", headers=admin)
    views["deliveries"] = (deliveries.status_code, deliveries.headers.get("etag"), deliveries.text)
    # The index is rebuilt in the target's own engine (FTS5 or tsvector), whose ranking
    # and snippets differ by design: the same articles must be found.
    found = (await client.get("/v1/search", params={"q": "chips", "limit": 100})).json()
    views["search"] = sorted(item["article"]["id"] for item in found["items"])
    for query in (GRAPHQL_FEED, GRAPHQL_ENTITY):
        answer = await client.post("/graphql", json={"query": query})
        views[query] = (answer.status_code, answer.json())
    return views
