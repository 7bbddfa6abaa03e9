"""Baselines B0-B2: how fast the feed page could be, served by the same uvicorn command.

- B0 ``b0``: a bare ASGI callable returning the REST feed page's bytes.
- B1 ``b1``: a bare Starlette route returning the same bytes.
- B2 ``b2``: a bare Starlette route running the REST feed page's SQL (articles joined to
  source and category, newest first, 21 rows as the feed fetches one extra for its cursor;
  then the mentions of those 20 joined to entities) with the raw driver and orjson: stdlib
  sqlite3 called on the event loop, or an asyncpg pool.
- B2.article ``b2_article``: the same for the article page (``/v1/articles/{slug}``): the
  article by slug joined to its source and category, then its mentions joined to entities,
  then its stored outgoing links joined to their targets and sources; three statements.

Configuration comes from the environment: ``BENCH_BODY_FILE`` (B0, B1) and
``BENCH_DATABASE_URL`` (B2, B2.article). Each factory is a ``uvicorn --factory`` target.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
FEED_PATH = "/v1/articles"
PAGE = 20
FEED_SQL = """
SELECT a.id, a.public_id, a.slug, a.title, a.url, a.author, a.published_at, a.updated_at,
       a.image_url, a.image_credit, a.sentiment, a.sentiment_score, a.importance, a.summary,
       a.language, a.version, s.slug, s.name, s.homepage_url, s.feed_url, s.logo_url,
       c.slug, c.name, c.icon
FROM articles a
JOIN sources s ON s.id = a.source_id
LEFT JOIN categories c ON c.id = a.category_id
ORDER BY a.published_at DESC, a.id DESC
LIMIT 21
"""
MENTIONS_SQL = """
SELECT m.article_id, e.slug, e.name, e.type, m.salience, m.sentiment
FROM mentions m JOIN entities e ON e.id = m.entity_id
WHERE m.article_id {keys}
ORDER BY m.article_id, m.salience DESC, e.slug
"""
# The article page (B2.article): the REST article document's columns, then its mentions and
# its stored links. {key} is the driver's placeholder for the one parameter.
ARTICLE_PATH = "/v1/articles/{slug}"
ARTICLE_SQL = """
SELECT a.id, a.public_id, a.slug, a.title, a.url, a.author, a.image_url, a.image_credit,
       a.sentiment, s.slug, s.name, s.homepage_url, s.feed_url, s.logo_url, a.published_at,
       a.created_at, a.updated_at, c.slug, c.name, c.icon, a.sentiment_score, a.importance,
       a.summary, a.analysis, a.key_takeaways, a.language, a.version
FROM articles a
JOIN sources s ON s.id = a.source_id
LEFT JOIN categories c ON c.id = a.category_id
WHERE a.slug = {key}
"""
ARTICLE_MENTIONS_SQL = """
SELECT e.slug, e.name, e.type, m.salience, m.sentiment
FROM mentions m JOIN entities e ON e.id = m.entity_id
WHERE m.article_id = {key}
ORDER BY m.salience DESC, e.slug
"""
ARTICLE_LINKS_SQL = """
SELECT l.kind, l.score, t.public_id, t.slug, t.title, t.url, t.published_at, s.slug, s.name
FROM article_links l
JOIN articles t ON t.id = l.to_article_id
JOIN sources s ON s.id = t.source_id
WHERE l.from_article_id = {key}
ORDER BY l.score IS NULL, l.score DESC, t.published_at DESC, t.id DESC
"""
NOT_FOUND = b'{"detail":"article not found"}'
READY = b'{"status":"ready"}'


def _body() -> bytes:
    return Path(os.environ["BENCH_BODY_FILE"]).read_bytes()


def b0() -> ASGIApp:
    body = _body()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        # Every path answers with the page, /readyz included: nothing else to check.
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _ready(_request: Request) -> Response:
    return Response(READY, media_type="application/json")


def b1() -> Starlette:
    body = _body()

    async def feed(_request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(FEED_PATH, feed), Route("/readyz", _ready)])


def _page(rows: Sequence[Sequence[Any]], mentions: Sequence[Sequence[Any]]) -> bytes:
    by_article: dict[int, list[dict[str, Any]]] = {row[0]: [] for row in rows[:PAGE]}
    for article_id, slug, name, type_, salience, sentiment in mentions:
        by_article[article_id].append(
            {
                "slug": slug,
                "name": name,
                "type": type_,
                "salience": salience,
                "sentiment": sentiment,
            }
        )
    items = [
        {
            "id": r[1], "slug": r[2], "title": r[3], "url": r[4], "author": r[5],
            "published_at": r[6], "updated_at": r[7], "image_url": r[8], "image_credit": r[9],
            "sentiment": r[10], "sentiment_score": r[11], "importance": r[12],
            "summary": r[13], "language": r[14], "version": r[15],
            "source": {
                "slug": r[16], "name": r[17], "homepage_url": r[18], "feed_url": r[19],
                "logo_url": r[20],
            },
            "category": None if r[21] is None else {"slug": r[21], "name": r[22], "icon": r[23]},
            "entities": by_article[r[0]],
        }
        for r in rows[:PAGE]
    ]  # fmt: skip
    cursor = None
    if len(rows) > PAGE:
        last = rows[PAGE - 1]
        key = orjson.dumps(["newest", str(last[6]), last[0]])
        cursor = base64.urlsafe_b64encode(key).rstrip(b"=").decode()
    return orjson.dumps({"items": items, "next_cursor": cursor})


def _sqlite_lifespan(
    path: str, state: dict[str, sqlite3.Connection]
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["db"] = sqlite3.connect(path, check_same_thread=False)
        try:
            yield
        finally:
            state["db"].close()

    return lifespan


def _postgres_lifespan(
    dsn: str, state: dict[str, asyncpg.Pool]
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        try:
            yield
        finally:
            await state["pool"].close()

    return lifespan


def _sqlite_feed(path: str) -> Starlette:
    state: dict[str, sqlite3.Connection] = {}

    lifespan = _sqlite_lifespan(path, state)

    async def feed(_request: Request) -> Response:
        db = state["db"]
        rows = db.execute(FEED_SQL).fetchall()
        keys = [row[0] for row in rows[:PAGE]]
        sql = MENTIONS_SQL.format(keys="IN (" + ",".join("?" * len(keys)) + ")")
        mentions = db.execute(sql, keys).fetchall() if keys else []
        return Response(_page(rows, mentions), media_type="application/json")

    return Starlette(routes=[Route(FEED_PATH, feed), Route("/readyz", _ready)], lifespan=lifespan)


def _postgres_feed(dsn: str) -> Starlette:
    state: dict[str, asyncpg.Pool] = {}
    mentions_sql = MENTIONS_SQL.format(keys="= ANY($1::int[])")

    lifespan = _postgres_lifespan(dsn, state)

    async def feed(_request: Request) -> Response:
        async with state["pool"].acquire() as connection:
            rows = await connection.fetch(FEED_SQL)
            keys = [row[0] for row in rows[:PAGE]]
            mentions = await connection.fetch(mentions_sql, keys) if keys else []
        return Response(_page(rows, mentions), media_type="application/json")

    return Starlette(routes=[Route(FEED_PATH, feed), Route("/readyz", _ready)], lifespan=lifespan)


def _database() -> tuple[str, str]:
    """("sqlite", file path) or ("postgresql", an asyncpg DSN) from BENCH_DATABASE_URL."""
    url = make_url(os.environ["BENCH_DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        return "sqlite", url.database or ""
    return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)


def b2() -> Starlette:
    backend, where = _database()
    return _sqlite_feed(where) if backend == "sqlite" else _postgres_feed(where)


def _article(
    row: Sequence[Any], mentions: Sequence[Sequence[Any]], links: Sequence[Sequence[Any]]
) -> bytes:
    # Stored JSON comes back as text from both drivers (SQLite's JSON, asyncpg's jsonb).
    document = {
        "id": row[1], "slug": row[2], "title": row[3], "url": row[4], "author": row[5],
        "image_url": row[6], "image_credit": row[7], "sentiment": row[8],
        "source": {
            "slug": row[9], "name": row[10], "homepage_url": row[11], "feed_url": row[12],
            "logo_url": row[13],
        },
        "published_at": row[14], "created_at": row[15], "updated_at": row[16],
        "category": None if row[17] is None else {
            "slug": row[17], "name": row[18], "icon": row[19],
        },
        "sentiment_score": row[20], "importance": row[21], "summary": row[22],
        "analysis": orjson.loads(row[23]), "key_takeaways": orjson.loads(row[24]),
        "language": row[25], "version": row[26],
        "entities": [
            {"slug": m[0], "name": m[1], "type": m[2], "salience": m[3], "sentiment": m[4]}
            for m in mentions
        ],
        "related_links": [
            {
                "kind": link[0], "score": link[1],
                "article": {
                    "id": link[2], "slug": link[3], "title": link[4], "url": link[5],
                    "published_at": link[6], "source": {"slug": link[7], "name": link[8]},
                },
            }
            for link in links
        ],
    }  # fmt: skip
    return orjson.dumps(document)


def _not_found() -> Response:
    return Response(NOT_FOUND, status_code=404, media_type="application/json")


def _sqlite_article(path: str) -> Starlette:
    state: dict[str, sqlite3.Connection] = {}
    article_sql, mentions_sql, links_sql = (
        sql.format(key="?") for sql in (ARTICLE_SQL, ARTICLE_MENTIONS_SQL, ARTICLE_LINKS_SQL)
    )

    lifespan = _sqlite_lifespan(path, state)

    async def article(request: Request) -> Response:
        db = state["db"]
        row = db.execute(article_sql, (request.path_params["slug"],)).fetchone()
        if row is None:
            return _not_found()
        mentions = db.execute(mentions_sql, (row[0],)).fetchall()
        links = db.execute(links_sql, (row[0],)).fetchall()
        return Response(_article(row, mentions, links), media_type="application/json")

    routes = [Route(ARTICLE_PATH, article), Route("/readyz", _ready)]
    return Starlette(routes=routes, lifespan=lifespan)


def _postgres_article(dsn: str) -> Starlette:
    state: dict[str, asyncpg.Pool] = {}
    article_sql, mentions_sql, links_sql = (
        sql.format(key="$1") for sql in (ARTICLE_SQL, ARTICLE_MENTIONS_SQL, ARTICLE_LINKS_SQL)
    )

    lifespan = _postgres_lifespan(dsn, state)

    async def article(request: Request) -> Response:
        async with state["pool"].acquire() as connection:
            row = await connection.fetchrow(article_sql, request.path_params["slug"])
            if row is None:
                return _not_found()
            mentions = await connection.fetch(mentions_sql, row[0])
            links = await connection.fetch(links_sql, row[0])
        return Response(_article(row, mentions, links), media_type="application/json")

    routes = [Route(ARTICLE_PATH, article), Route("/readyz", _ready)]
    return Starlette(routes=routes, lifespan=lifespan)


def b2_article() -> Starlette:
    backend, where = _database()
    return _sqlite_article(where) if backend == "sqlite" else _postgres_article(where)
