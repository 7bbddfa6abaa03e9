"""Writes the demo corpus with Core executemany inserts, one transaction per batch."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import TextIO

from sqlalchemy import Connection, Dialect, Engine, func, select, text

from api.db.bulk import PreparedInsert, prepare_insert
from api.db.database import WRITE_OPTION
from api.demo.catalog import Catalog, build_catalog
from api.demo.generator import ArticleGenerator, window_start
from api.demo.pipeline import produced
from api.demo.stories import DemoStories, StoryWrites, refresh_all
from api.demo.text import TextFactory
from api.domain.search import catch_up_sync
from api.domain.search.index import catch_up_bulk_sync
from api.models import Article, Base, Category, Entity, Source
from api.settings import get_settings

BATCH_SIZE = 2_500  # articles per transaction: bounds the rows held in memory at a time
SQLITE_CACHE_KIB = 65_536  # a bigger page cache keeps the unique-index inserts off the disk
# Checkpoint the WAL less often while loading: hot index pages get written back (and the
# file synced) once per checkpoint rather than after every batch.
SQLITE_WAL_PAGES = 16_384
# Tables whose integer ids the demo assigns itself; PostgreSQL sequences must catch up.
SERIAL_TABLES = ("sources", "categories", "entities", "articles", "article_links", "stories")


class DemoError(ValueError):
    """The demo cannot run as asked (for instance: the database already holds data)."""


@dataclass(frozen=True, slots=True)
class DemoStats:
    sources: int = 0
    categories: int = 0
    entities: int = 0
    articles: int = 0
    mentions: int = 0
    links: int = 0
    stories: int = 0
    elapsed_seconds: float = 0.0
    seed: int | None = None
    skipped: bool = False
    existing_articles: int = 0

    def describe(self) -> str:
        if self.skipped:
            if self.existing_articles == 0:
                return "database already has sources, categories or entities; demo skipped"
            return f"database already has {self.existing_articles} articles; demo skipped"
        return (
            f"demo loaded {self.articles:,} articles ({self.mentions:,} mentions, "
            f"{self.links:,} links) in {self.stories:,} stories, "
            f"{self.entities:,} entities, {self.sources:,} sources, "
            f"{self.categories:,} categories with seed {self.seed} "
            f"in {self.elapsed_seconds:.1f}s"
        )


class _Progress:
    """A one-line counter on stderr, redrawn per batch."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.started = time.perf_counter()

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream is not None:
            percent = 100 * self.done // self.total
            elapsed = time.perf_counter() - self.started
            self.stream.write(
                f"\rdemo: {self.done:,}/{self.total:,} articles ({percent}%) {elapsed:.0f}s"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def _count(connection: Connection, model: type[Base]) -> int:
    return connection.execute(select(func.count()).select_from(model)).scalar_one()


def generate_demo(
    engine: Engine, *, articles: int, seed: int, if_empty: bool, progress: bool
) -> DemoStats:
    """Load a deterministic synthetic corpus into an empty, migrated database.

    Same ``seed`` and ``articles``, same rows (ids, slugs, timestamps included). When the
    database already holds data, returns "skipped" stats if ``if_empty`` and raises
    ``DemoError`` otherwise. Reference data is committed first, then articles in batches:
    an interrupted run leaves a partial corpus behind.
    """
    if articles < 1:
        raise DemoError("the demo needs at least one article")
    started = time.perf_counter()
    tables = Base.metadata.tables
    backend = engine.dialect.name
    # BEGIN IMMEDIATE on SQLite: take the write lock before checking for emptiness.
    writer = engine.execution_options(**{WRITE_OPTION: True})
    with writer.connect() as connection:
        with connection.begin():
            if backend == "postgresql":
                # Serialises concurrent demo runs (say, two containers starting at once);
                # readers are not blocked.
                connection.execute(text("LOCK TABLE articles IN SHARE ROW EXCLUSIVE MODE"))
            existing = _count(connection, Article)
            if existing or any(_count(connection, m) for m in (Source, Category, Entity)):
                if if_empty:
                    return DemoStats(skipped=True, existing_articles=existing, seed=seed)
                raise DemoError(
                    f"database not empty ({existing} articles); use --if-empty or a fresh database"
                )
            catalog = build_catalog(seed, window_start(articles) - dt.timedelta(days=30))
            connection.execute(tables["categories"].insert(), catalog.categories)
            connection.execute(tables["sources"].insert(), catalog.sources)
            connection.execute(tables["entities"].insert(), catalog.entities)
            if backend == "sqlite":
                cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
                checkpoint = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
                connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
                connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_PAGES}")

        # The stories the write path would give these articles (api.demo.stories).
        with_stories = get_settings().stories_enabled
        make = partial(_batch_writes, catalog, seed, articles, connection.dialect, with_stories)
        bar = _Progress(articles, sys.stderr if progress else None)
        mention_count = link_count = story_count = 0
        try:
            # closing(): a failed write ends the child at once, not when the frame goes.
            with closing(produced(make)) as writes:
                for write in writes:
                    with connection.begin():
                        write.run(connection)
                        if backend == "sqlite":  # PostgreSQL indexes them all at the end
                            catch_up_sync(connection)
                    mention_count += write.mentions
                    link_count += write.links
                    bar.advance(write.articles)
            with connection.begin():
                if with_stories:
                    story_count = refresh_all(connection)
                catch_up_bulk_sync(connection)
                _after_load(connection, backend)
                if backend == "sqlite":
                    connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
                    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={int(checkpoint)}")
            if backend == "postgresql":
                _vacuum(connection)
        except BaseException:
            # Don't hand a connection with demo-only settings back to the pool.
            connection.invalidate()
            raise
        finally:
            bar.close()

    return DemoStats(
        sources=len(catalog.sources),
        categories=len(catalog.categories),
        entities=len(catalog.entities),
        articles=articles,
        mentions=mention_count,
        links=link_count,
        stories=story_count,
        elapsed_seconds=time.perf_counter() - started,
        seed=seed,
    )


@dataclass(frozen=True, slots=True)
class BatchWrites:
    """A generated batch as statements ready for the driver (made in pipeline.py's child)."""

    inserts: list[PreparedInsert | None]
    stories: StoryWrites | None
    articles: int
    mentions: int
    links: int

    def run(self, connection: Connection) -> None:
        for statement in self.inserts:
            if statement is not None:
                statement.run(connection)
        if self.stories is not None:
            self.stories.run(connection)


def _batch_writes(
    catalog: Catalog, seed: int, total: int, dialect: Dialect, with_stories: bool
) -> Iterator[BatchWrites]:
    tables = Base.metadata.tables
    generator = ArticleGenerator(catalog, TextFactory(seed), seed=seed, total=total)
    stories = DemoStories(catalog, seed=seed) if with_stories else None
    for batch in generator.batches(BATCH_SIZE):
        yield BatchWrites(
            [
                prepare_insert(dialect, tables["articles"], batch.articles),
                prepare_insert(dialect, tables["mentions"], batch.mentions),
                prepare_insert(dialect, tables["article_links"], batch.links),
            ],
            None if stories is None else stories.prepare(dialect, batch),
            len(batch.articles),
            len(batch.mentions),
            len(batch.links),
        )


def _after_load(connection: Connection, backend: str) -> None:
    # The demo articles enter the changes log too, so a mirror replaying it sees them all.
    connection.execute(
        text(
            "INSERT INTO changes (resource, op, resource_id, version, at) "
            "SELECT 'article', 'created', public_id, version, created_at FROM articles "
            "ORDER BY id"
        )
    )
    if backend == "postgresql":
        # Explicit ids bypass the sequences; move them past the demo rows.
        for name in SERIAL_TABLES:
            table = Base.metadata.tables[name]
            sequence = func.pg_get_serial_sequence(name, "id")
            last = select(func.max(table.c.id)).scalar_subquery()
            connection.execute(select(func.setval(sequence, last)))
    elif backend == "sqlite":
        # Planner statistics for the fresh data, exact: sampled ones (analysis_limit=1000)
        # misjudged the articles per source on a large corpus, and the feed then scanned
        # every source's articles and sorted them instead of walking the date index.
        # Exact statistics cost one pass at load time.
        connection.exec_driver_sql("ANALYZE")


def _vacuum(connection: Connection) -> None:
    """VACUUM (ANALYZE) the loaded tables, outside any transaction as VACUUM must be.

    Statistics: without them the planner badly underestimated search matches. The
    visibility map: until it is set, no index-only scan skips the heap, and searches
    (filtered ones most) are slower to find their block. Autovacuum would get there later.
    """
    tables = ", ".join(
        (
            *SERIAL_TABLES,
            "mentions",
            "article_search",
            "article_search_rank",
            "story_members",
            "story_signatures",
            "story_entity_keys",
        )
    )
    autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
    autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
