"""Reads on the driver (``api.db.direct``) answer as the same statements run in a session:
IN lists written out, cursor values converted as SQLAlchemy converts them, every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, update

from api.app import create_app
from api.db.database import Database, SessionReads
from api.db.direct import DriverReads
from api.demo import generate_demo
from api.domain.feed import article_page_documents
from api.domain.feed.documents import FEED_ITEM_FIELDS
from api.domain.shared import ArticleFilter, ArticleFilterRules, ArticleOrder
from api.models import Article
from api.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
async def driver(settings: Settings, sync_engine: Engine) -> AsyncIterator[DriverReads]:
    generate_demo(sync_engine, articles=60, seed=5, if_empty=False, progress=False)
    # Ties on whole seconds: a cursor's time must compare exactly as the column stores it.
    with sync_engine.begin() as connection:
        moment = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
        for pk in range(10, 40):
            published = moment + dt.timedelta(hours=pk // 5)
            connection.execute(
                update(Article).where(Article.id == pk).values(published_at=published)
            )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        reads = app.state.db.driver_reads
        assert isinstance(reads, DriverReads)
        yield reads


async def _filters(database: Database) -> list[ArticleFilter]:
    async with database.session() as session:
        page = await article_page_documents(
            SessionReads(session), ArticleFilter(), fields=["entities"], limit=10
        )
    slugs = [e["slug"] for item in orjson.loads(page.items) for e in item["entities"]]
    rules = [
        ArticleFilterRules(),
        ArticleFilterRules(entities=slugs[:3], entity_mode="any"),
        ArticleFilterRules(exclude_entities=slugs[:2], importance_min=2),
        ArticleFilterRules(published_after="2020-01-01T00:00:00Z", sentiment="bullish"),
    ]
    return [rule.to_filter() for rule in rules]


async def test_driver_pages_equal_session_pages(database: Database, driver: DriverReads) -> None:
    for article_filter in await _filters(database):
        for order in ArticleOrder:
            cursor = None
            pages = 0
            while True:
                args: dict[str, Any] = {"fields": FEED_ITEM_FIELDS, "order": order, "limit": 7}
                on_driver = await article_page_documents(
                    driver, article_filter, cursor=cursor, **args
                )
                async with database.session() as session:
                    in_session = await article_page_documents(
                        SessionReads(session), article_filter, cursor=cursor, **args
                    )
                assert on_driver == in_session
                pages += 1
                cursor = on_driver.next_cursor
                if cursor is None:
                    break
            assert article_filter != ArticleFilter() or pages == 9  # 60 articles, 7 a page


async def test_driver_feed_statements_stay_planned(database_url: str, driver: DriverReads) -> None:
    """The page size is written into the statement, so PostgreSQL keeps one generic plan
    instead of planning the feed again on every request (a ``LIMIT $n`` never goes generic)."""
    sent: list[str] = []
    driver.listeners.append(sent.append)
    await article_page_documents(driver, ArticleFilter(), fields=FEED_ITEM_FIELDS, limit=7)
    driver.listeners.remove(sent.append)
    statement = sent[0]
    if not database_url.startswith("postgresql"):
        assert "LIMIT ?" in statement  # SQLite plans once per prepared statement anyway
        return
    assert len(sent) == 1
    assert statement.rstrip().endswith("LIMIT 8")  # one row over the page tells "more"
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(database_url)
    try:
        for _ in range(8):
            await connection.fetch(statement)
        custom, generic = await connection.fetchrow(
            "SELECT custom_plans, generic_plans FROM pg_prepared_statements WHERE statement = $1",
            statement,
        )
    finally:
        await connection.close()
    assert (custom, generic) == (0, 8)
