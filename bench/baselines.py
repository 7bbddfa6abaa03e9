"""Baselines B0-B2: how fast the feed page could be, served by the same uvicorn command.

- B0 ``b0``: a bare ASGI callable returning the REST feed page's bytes.
- B1 ``b1``: a bare Starlette route returning the same bytes.
- B2 ``b2``: a bare Starlette route running the REST feed page's SQL (articles joined to
  source and category, newest first, 21 rows as the feed fetches one extra for its cursor;
  then the mentions of those 20 joined to entities) with the raw driver and orjson: stdlib
  sqlite3 called on the event loop, or an asyncpg pool.

Configuration comes from the environment: ``BENCH_BODY_FILE`` (B0, B1) and
``BENCH_DATABASE_URL`` (B2). Each factory is a ``uvicorn --factory`` target.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
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


def _sqlite_feed(path: str) -> Starlette:
    state: dict[str, sqlite3.Connection] = {}

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["db"] = sqlite3.connect(path, check_same_thread=False)
        try:
            yield
        finally:
            state["db"].close()

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

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        try:
            yield
        finally:
            await state["pool"].close()

    async def feed(_request: Request) -> Response:
        async with state["pool"].acquire() as connection:
            rows = await connection.fetch(FEED_SQL)
            keys = [row[0] for row in rows[:PAGE]]
            mentions = await connection.fetch(mentions_sql, keys) if keys else []
        return Response(_page(rows, mentions), media_type="application/json")

    return Starlette(routes=[Route(FEED_PATH, feed), Route("/readyz", _ready)], lifespan=lifespan)


def b2() -> Starlette:
    url = make_url(os.environ["BENCH_DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        return _sqlite_feed(url.database or "")
    return _postgres_feed(url.set(drivername="postgresql").render_as_string(hide_password=False))
