"""Driver-level multi-row inserts store exactly what SQLAlchemy's own insert stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Table, insert, select

from api.db.bulk import insert_many, prepare_insert
from api.db.database import Database
from api.models import Article, Base, Category, Change, Source
from api.models.enums import Sentiment

pytestmark = pytest.mark.anyio
ARTICLES: Table = Base.metadata.tables[Article.__tablename__]
CHANGES: Table = Base.metadata.tables[Change.__tablename__]
PARIS = dt.timezone(dt.timedelta(hours=2))


def _article(n: int, source_id: int, category_id: int) -> dict[str, Any]:
    return {
        "url": f"https://bulk.example/{n}",
        "slug": f"bulk-{n}",
        "title": f"Title {n} — “quoted” é",
        "source_id": source_id,
        "category_id": category_id if n % 2 else None,
        "author": None if n % 3 else "Ann",
        # another zone, and sub-second precision: both must land as the same UTC instant
        "published_at": dt.datetime(2026, 3, 1, 10, 0, n, 123456, tzinfo=PARIS),
        "sentiment": Sentiment.BULLISH if n % 2 else Sentiment.BEARISH,
        "sentiment_score": 0.125 * n if n % 2 else None,
        "importance": n % 10 + 1,
        "summary": f"Summary {n}",
        "analysis": [f"Paragraph {n}", "Ünïcode ✓"],
        "key_takeaways": [],
    }


def _insert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    prepared = prepare_insert(connection.dialect, ARTICLES, rows)
    assert prepared is not None
    prepared.run(connection)


def _stored(engine_rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in engine_rows]


def _refs(connection: Any) -> tuple[int, int]:
    source = connection.execute(
        insert(Source).returning(Source.id),
        [{"slug": "bulk", "name": "Bulk", "homepage_url": "https://bulk.example"}],
    ).scalar_one()
    category = connection.execute(
        insert(Category).returning(Category.id), [{"slug": "c", "name": "C"}]
    ).scalar_one()
    return source, category


def _without(rows: Sequence[Any], *skip: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row._mapping.items() if k not in skip} for row in rows]


def test_rows_read_back_as_sqlalchemy_wrote_them(sync_engine: Engine) -> None:
    with sync_engine.begin() as connection:
        source, category = _refs(connection)
        ours = [_article(n, source, category) for n in range(1, 6)]
        theirs = [
            _article(n, source, category) | {"url": f"https://sa.example/{n}", "slug": f"sa-{n}"}
            for n in range(1, 6)
        ]
        _insert(connection, ours)
        connection.execute(insert(ARTICLES), theirs)
        rows = connection.execute(select(ARTICLES).order_by(ARTICLES.c.id)).all()
        # Raw storage too: on SQLite a timestamp is text, and its format must match.
        raw = connection.exec_driver_sql(
            "SELECT published_at, analysis, key_takeaways, sentiment, created_at IS NOT NULL "
            "FROM articles ORDER BY id"
        ).all()
    skip = ("id", "url", "slug", "public_id", "created_at", "updated_at")
    assert _without(rows[:5], *skip) == _without(rows[5:], *skip)
    assert _stored(raw[:5]) == _stored(raw[5:])
    assert len({row.public_id for row in rows}) == 10  # the Python default, once per row
    assert rows[0].published_at == dt.datetime(2026, 3, 1, 8, 0, 1, 123456, tzinfo=dt.UTC)


def test_naive_timestamps_are_refused(sync_engine: Engine) -> None:
    with sync_engine.begin() as connection:
        source, category = _refs(connection)
        row = _article(1, source, category) | {"published_at": dt.datetime(2026, 1, 1)}
        with pytest.raises(ValueError, match="naive"):
            _insert(connection, [row])


async def test_async_insert_matches_and_fills_defaults(database: Database) -> None:
    async with database.session(write=True) as session:
        connection = await session.connection()
        source, category = await connection.run_sync(_refs)
        await insert_many(session, ARTICLES, [_article(1, source, category)])
        await insert_many(
            session,
            CHANGES,
            [
                {"resource": "article", "op": "created", "resource_id": "x", "version": 1,
                 "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            ],
        )  # fmt: skip
        stored = (await session.execute(select(Article))).scalar_one()
        change = (await session.execute(select(Change))).scalar_one()
    assert stored.analysis == ["Paragraph 1", "Ünïcode ✓"]
    assert stored.sentiment is Sentiment.BULLISH
    assert stored.language == "en" and stored.version == 1  # scalar Python defaults
    assert stored.created_at.tzinfo is not None
    assert change.at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
