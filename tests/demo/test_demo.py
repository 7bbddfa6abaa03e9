"""The demo corpus: reproducible to the last column, well-shaped, and safe to build on."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from api.db import migrate
from api.db.database import create_sync_db_engine
from api.demo import DemoError, generate_demo
from api.demo.generator import ANCHOR
from api.demo.keys import base36, slugify, uuid7
from api.models import (
    Article,
    ArticleLink,
    Base,
    Category,
    Entity,
    EntityType,
    LinkKind,
    Mention,
    Sentiment,
    Source,
)
from api.settings import Settings

TABLES = (
    "categories",
    "sources",
    "entities",
    "articles",
    "mentions",
    "article_links",
    "stories",
    "story_members",
)


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every demo table, as plain values, in primary-key order."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name in TABLES:
            table = Base.metadata.tables[name]
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            result[name] = [tuple(row) for row in rows]
    return result


@contextmanager
def fresh_database(sync_engine: Engine, tmp_path: Path, name: str) -> Iterator[Engine]:
    """A second empty, migrated database on the same backend as ``sync_engine``."""
    if sync_engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / name}"
        migrate.upgrade(url)
        engine = create_sync_db_engine(Settings(database_url=url))
        try:
            yield engine
        finally:
            engine.dispose()
    else:
        # The per-run PostgreSQL database is private to this test while it runs: empty it.
        with sync_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        yield sync_engine


def test_same_seed_same_corpus(sync_engine: Engine, tmp_path: Path) -> None:
    first = generate_demo(sync_engine, articles=60, seed=7, if_empty=False, progress=False)
    expected = dump(sync_engine)
    assert len(expected["articles"]) == first.articles == 60

    with fresh_database(sync_engine, tmp_path, "again.db") as engine:
        generate_demo(engine, articles=60, seed=7, if_empty=False, progress=False)
        assert dump(engine) == expected

    with fresh_database(sync_engine, tmp_path, "other.db") as engine:
        generate_demo(engine, articles=60, seed=8, if_empty=False, progress=False)
        other = dump(engine)
    title = Base.metadata.tables["articles"].c.keys().index("title")
    assert [r[title] for r in other["articles"]] != [r[title] for r in expected["articles"]]


def test_corpus_shape(sync_engine: Engine) -> None:
    stats = generate_demo(sync_engine, articles=150, seed=3, if_empty=False, progress=False)
    with Session(sync_engine) as session:
        articles = session.scalars(select(Article).order_by(Article.id)).all()
        mentions = session.scalars(select(Mention)).all()
        links = session.scalars(select(ArticleLink)).all()
        entities = session.scalars(select(Entity)).all()
        sources = session.scalars(select(Source)).all()
        categories = session.scalars(select(Category)).all()

    assert (stats.articles, stats.mentions, stats.links) == (150, len(mentions), len(links))
    assert (stats.entities, stats.sources, stats.categories) == (
        len(entities),
        len(sources),
        len(categories),
    )
    assert {e.type for e in entities} == set(EntityType)
    assert len(sources) >= 30 and len(categories) >= 8 and len(entities) >= 300
    assert all(c.icon for c in categories)
    assert all(e.ticker for e in entities if e.type is EntityType.CRYPTOCURRENCY)
    assert "150 articles" in stats.describe()

    per_article = Counter(m.article_id for m in mentions)
    assert set(per_article) == {a.id for a in articles}
    assert all(2 <= n <= 8 for n in per_article.values())
    assert all(0 <= m.salience <= 1 for m in mentions)
    top = {a: max(m.salience for m in mentions if m.article_id == a) for a in per_article}
    assert all(s >= 0.75 for s in top.values())  # every story has a central entity

    window_start = ANCHOR - dt.timedelta(days=366)
    previous = None
    for article in articles:
        assert 1 <= article.importance <= 10
        assert 3 <= len(article.analysis) <= 6
        assert 3 <= len(article.key_takeaways) <= 7
        assert all(p.strip() and "{" not in p for p in [*article.analysis, article.summary])
        assert 40 <= len(article.summary.split()) <= 110
        assert article.language in {"en", "de", "fr", "es"}
        assert article.url.startswith("https://") and article.url.endswith(article.slug)
        assert len(article.slug) <= 200 and len(article.url) <= 2048
        score = article.sentiment_score
        assert score is not None and -1 <= score <= 1
        if article.sentiment is Sentiment.BULLISH:
            assert score > 0
        elif article.sentiment is Sentiment.BEARISH:
            assert score < 0
        for stamp in (article.published_at, article.created_at, article.updated_at):
            assert stamp.tzinfo is not None and stamp.utcoffset() == dt.timedelta(0)
        assert window_start <= article.published_at < ANCHOR
        assert article.created_at >= article.published_at
        public_id = uuid.UUID(article.public_id)
        assert public_id.version == 7 and public_id.variant == uuid.RFC_4122
        assert public_id.int >> 80 == int(article.published_at.timestamp() * 1000)
        if previous is not None:  # ids, publication times and public ids all ascend together
            assert previous.published_at <= article.published_at
            if previous.published_at < article.published_at:
                assert previous.public_id < article.public_id
        previous = article
    assert len({a.slug for a in articles}) == len({a.url for a in articles}) == 150

    assert links, "some articles carry stored links"
    assert all(link.to_article_id < link.from_article_id for link in links)
    assert all(link.score is None or 0 <= link.score <= 1 for link in links)
    targets = Counter((link.from_article_id, link.to_article_id) for link in links)
    assert max(targets.values()) == 1


def test_if_empty_skips_and_refuses_otherwise(sync_engine: Engine) -> None:
    generate_demo(sync_engine, articles=30, seed=1, if_empty=False, progress=False)
    before = dump(sync_engine)

    stats = generate_demo(sync_engine, articles=30, seed=2, if_empty=True, progress=False)
    assert stats.skipped and stats.articles == 0
    assert stats.describe() == "database already has 30 articles; demo skipped"
    with pytest.raises(DemoError, match="not empty"):
        generate_demo(sync_engine, articles=30, seed=2, if_empty=False, progress=False)
    assert dump(sync_engine) == before


def test_reference_data_alone_counts_as_not_empty(sync_engine: Engine) -> None:
    with Session(sync_engine) as session, session.begin():
        session.add(Source(slug="wire", name="Wire", homepage_url="https://wire.example"))
    stats = generate_demo(sync_engine, articles=5, seed=1, if_empty=True, progress=False)
    assert stats.skipped and "demo skipped" in stats.describe()
    with pytest.raises(DemoError):
        generate_demo(sync_engine, articles=5, seed=1, if_empty=False, progress=False)


def test_ordinary_inserts_after_the_demo(sync_engine: Engine) -> None:
    """The demo assigns ids itself; the sequences must still hand out fresh ones."""
    generate_demo(sync_engine, articles=40, seed=5, if_empty=False, progress=False)
    with sync_engine.connect() as connection:
        max_ids = [
            connection.execute(select(func.max(model.id))).scalar_one()
            for model in (Source, Category, Entity, Article, ArticleLink)
        ]
    with Session(sync_engine) as session, session.begin():
        source = Source(slug="late-wire", name="Late Wire", homepage_url="https://late.example")
        category = Category(slug="late", name="Late", icon="🕒")
        entity = Entity(slug="late-co", name="Late Co", type=EntityType.COMPANY)
        session.add_all([source, category, entity])
        session.flush()
        article = Article(
            slug="a-late-story",
            title="A late story",
            url="https://late.example/a-late-story",
            source_id=source.id,
            category_id=category.id,
            published_at=ANCHOR,
            sentiment=Sentiment.NEUTRAL,
            importance=5,
            summary="Added after the demo.",
        )
        session.add(article)
        session.flush()
        link = ArticleLink(from_article_id=article.id, to_article_id=1, kind=LinkKind.FOLLOW_UP)
        session.add_all([link, Mention(article_id=article.id, entity_id=entity.id, salience=1)])
        session.flush()
        new_ids = [source.id, category.id, entity.id, article.id, link.id]
    assert new_ids == [last + 1 for last in max_ids]


def test_progress_goes_to_stderr(sync_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    generate_demo(sync_engine, articles=25, seed=1, if_empty=False, progress=True)
    captured = capsys.readouterr()
    assert "25/25 articles (100%)" in captured.err and captured.out == ""


def test_rejects_an_empty_request(sync_engine: Engine) -> None:
    with pytest.raises(DemoError):
        generate_demo(sync_engine, articles=0, seed=1, if_empty=False, progress=False)


def test_keys() -> None:
    value = uuid.UUID(uuid7(1_760_000_000_123, (1 << 74) - 1))
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert value.int >> 80 == 1_760_000_000_123
    assert uuid7(1, 0) < uuid7(2, (1 << 74) - 1)  # time-sortable as text
    assert [base36(n) for n in (0, 35, 36, 1295)] == ["0", "z", "10", "zz"]
    assert slugify("Signal & Noise: what's next?") == "signal-noise-what-s-next"
    assert slugify("Était über Año") == "etait-uber-ano"
    assert slugify("word " * 50, 22) == "word-word-word-word"


def test_every_article_is_searchable_and_the_indexes_are_back(sync_engine: Engine) -> None:
    # PostgreSQL builds the GIN indexes once after the load (catch_up_bulk_sync).
    def gin_indexes() -> set[str]:
        if sync_engine.dialect.name != "postgresql":
            return set()
        with sync_engine.connect() as connection:
            rows = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '% USING gin %'")
            )
            return set(rows.scalars())

    before = gin_indexes()
    stats = generate_demo(sync_engine, articles=120, seed=5, if_empty=False, progress=False)
    with sync_engine.connect() as connection:
        indexed = connection.execute(text("SELECT count(*) FROM article_search")).scalar_one()
        pending = connection.execute(text("SELECT count(*) FROM search_pending")).scalar_one()
        counts = connection.execute(
            text(
                "SELECT count(*) FROM entities e WHERE e.article_count <> "
                "(SELECT count(*) FROM mentions m WHERE m.entity_id = e.id)"
            )
        ).scalar_one()
    assert (indexed, pending, counts) == (stats.articles, 0, 0)
    assert gin_indexes() == before
    if sync_engine.dialect.name == "postgresql":
        assert {"ix_article_search_document", "ix_article_search_pairs"} <= before
