"""Domain-test fixtures: a demo corpus with awkward values (for the JSON documents)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from api.db.database import Database, create_async_db_engine, create_sync_db_engine
from api.settings import Settings
from tests.fixtures.databases import enabled_backends, prepared_database
from tests.fixtures.story_rows import corpus_articles, write_stories

T = TypeVar("T")
AWKWARD_FLOATS = [0.1 + 0.2, 1e-5, -0.0, 0.123456789012345678, 1.0, -1.0, 0.5, 2.5e-4, 0.7]


def _make_awkward(url: str) -> None:
    """Values the database must write exactly as orjson does."""
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    micro = (
        "2026-03-01 10:00:00.000123"
        if url.startswith("sqlite")
        else "2026-03-01 10:00:00.000123+00"
    )
    with engine.begin() as connection:
        ids = connection.execute(text("SELECT id FROM articles ORDER BY id LIMIT 30")).scalars()
        for i, pk in enumerate(ids):
            connection.execute(
                text(
                    "UPDATE articles SET sentiment_score = :score, title = :title, "
                    "author = :author, category_id = CASE WHEN :nocat THEN NULL "
                    "ELSE category_id END WHERE id = :pk"
                ),
                {
                    "score": None if i % 5 == 4 else AWKWARD_FLOATS[i % len(AWKWARD_FLOATS)],
                    "title": f'Quote " back\\slash \t tab \u2028 ünï {i} \U0001f600',
                    "author": None if i % 3 == 0 else f"Autor {i} \x01",
                    "nocat": i % 4 == 0,
                    "pk": pk,
                },
            )
            connection.execute(
                text("UPDATE mentions SET salience = :salience WHERE article_id = :pk"),
                {"salience": AWKWARD_FLOATS[(i + 3) % len(AWKWARD_FLOATS)] % 1, "pk": pk},
            )
        # Stored links with awkward and missing scores (sorted unscored last).
        connection.execute(
            text("UPDATE article_links SET score = CASE WHEN id % 3 = 0 THEN NULL "
                 "WHEN id % 3 = 1 THEN 0.30000000000000004 ELSE 1.0 END")
        )  # fmt: skip
        # Several links of one article with equal scores: only the targets' dates and ids
        # order them.
        pks = list(
            connection.execute(text("SELECT id FROM articles ORDER BY id LIMIT 40")).scalars()
        )
        for source_pk in pks[:8]:
            for target_pk in pks[20:26]:
                connection.execute(
                    text(
                        "INSERT INTO article_links (from_article_id, to_article_id, kind, score) "
                        "VALUES (:a, :b, 'background', :score)"
                    ),
                    {"a": source_pk, "b": target_pk, "score": None if source_pk % 2 else 0.5},
                )
        # Fractional seconds, and ties on published_at that only the id breaks.
        connection.execute(
            text(f"UPDATE articles SET published_at = '{micro}' WHERE id IN "
                 "(SELECT id FROM articles ORDER BY id LIMIT 6)")
        )  # fmt: skip
        connection.execute(
            text("DELETE FROM mentions WHERE article_id IN "
                 "(SELECT id FROM articles ORDER BY id DESC LIMIT 5)")
        )  # fmt: skip
    engine.dispose()


@dataclass
class Store:
    loop: asyncio.AbstractEventLoop
    database: Database
    categories: list[str]
    sources: list[str]
    entities: list[str]

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)


def _make_stories(url: str) -> None:
    """Stories of several sizes over the corpus (some of one, some articles unclustered),
    so article documents carry stories and nulls alike."""
    engine = create_sync_db_engine(Settings(database_url=url))
    try:
        ids = corpus_articles(engine)
        groups = [
            ids[i : i + size] for i, size in zip(range(0, 60, 6), [2, 3, 4, 1, 5] * 2, strict=True)
        ]
        write_stories(engine, groups)
    finally:
        engine.dispose()


async def _slugs(database: Database, table: str) -> list[str]:
    async with database.session() as session:
        rows = await session.execute(text(f"SELECT slug FROM {table} ORDER BY slug"))
        return [row[0] for row in rows]


@pytest.fixture(scope="module", params=enabled_backends())
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    url = prepared_database(request.param, articles=120, seed=11)
    _make_awkward(url)
    _make_stories(url)
    loop = asyncio.new_event_loop()
    database = Database(create_async_db_engine(Settings(database_url=url)))
    categories, sources, entities = (
        loop.run_until_complete(_slugs(database, table))
        for table in ("categories", "sources", "entities")
    )
    yield Store(loop, database, categories, sources, entities[:40])
    loop.run_until_complete(database.dispose())
    loop.close()


def numbers_as_text(value: Any) -> Any:
    """Numbers as their exact text: 1 and 1.0 differ (zero's sign aside: PostgreSQL's
    numeric has no -0)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return repr(abs(value) if value == 0 else value)
    if isinstance(value, list):
        return [numbers_as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: numbers_as_text(item) for key, item in value.items()}
    return value
