"""Benchmark corpora: built with ``broadsheet demo``, cached, and rebuilt when stale.

SQLite corpora are files under bench/.cache/corpora/; PostgreSQL corpora are databases
named ``bench_c<articles>``. A cached corpus is reused only when it holds exactly the
requested number of articles and its schema is at the migration head; anything else
(an interrupted build, an older schema) is dropped and built again.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.db.database import create_sync_db_engine
from api.db.migrate import is_at_head
from api.domain.feed.query import article_cursor
from api.domain.shared.article_rows import article_from_row, select_articles
from api.domain.shared.filters import ArticleOrder
from api.models import Article
from api.settings import get_settings

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
BROADSHEET = Path(sys.executable).parent / "broadsheet"
SAMPLE_SIZE = 100  # article slugs the article-page scenarios rotate through
ENTITY_SAMPLE = 40
DEEP_FRACTION = 0.9


@dataclass(frozen=True, slots=True)
class Corpus:
    backend: str  # "sqlite" | "postgresql"
    size: int
    url: str

    @property
    def label(self) -> str:
        return f"{self.backend} {size_label(self.size)}"


@dataclass(frozen=True, slots=True)
class Fixtures:
    """Keys read from the corpus that the scenarios rotate through."""

    article_slugs: list[str]
    entity_slugs: list[str]
    search_terms: list[str]
    deep_cursor: str
    deep_offset: int


def size_label(size: int) -> str:
    for unit, factor in (("m", 1_000_000), ("k", 1_000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def parse_size(value: str) -> int:
    value = value.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(value[-1:], 1)
    number = int(value[:-1] if factor > 1 else value)
    if number < 1:
        raise ValueError(f"corpus size must be positive: {value!r}")
    return number * factor


def corpus_for(backend: str, size: int, pg_url: str) -> Corpus:
    if backend == "sqlite":
        path = CACHE_DIR / "corpora" / f"c{size}.db"
        return Corpus(backend, size, f"sqlite:///{path}")
    return Corpus(backend, size, f"{pg_url.rstrip('/')}/bench_c{size}")


def _inspect(url: str) -> tuple[int | None, bool]:
    """(article count, schema at head), or (None, False) when there is nothing usable."""
    engine = create_sync_db_engine(get_settings(), url=url)
    try:
        with engine.connect() as connection:
            at_head = is_at_head(connection)
            count = connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
            return int(count), at_head
    except SQLAlchemyError:
        return None, False
    finally:
        engine.dispose()


def _pg_admin_url(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    name = parsed.database or ""
    if not name.startswith("bench_"):
        raise ValueError(f"refusing to manage a database not named bench_*: {name!r}")
    admin = parsed.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), name


def pg_exists(url: str) -> bool:
    admin, name = _pg_admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return row.fetchone() is not None


def reset_database(url: str) -> None:
    """Drop and recreate a bench_* PostgreSQL database, or delete a SQLite file."""
    if make_url(url).get_backend_name() == "sqlite":
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    admin, name = _pg_admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        # The name was checked above (bench_ prefix, from our own size label): safe to quote.
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def scratch_database(backend: str, pg_url: str, name: str) -> str:
    """A fresh, migrated scratch database (``bench_scratch_<name>``, or a SQLite file)."""
    if backend == "sqlite":
        url = f"sqlite:///{CACHE_DIR / 'scratch' / f'{name}.db'}"
    else:
        url = f"{pg_url.rstrip('/')}/bench_scratch_{name}"
    reset_database(url)
    broadsheet(url, "migrate")
    return url


def broadsheet(url: str, *args: str) -> None:
    completed = subprocess.run(  # noqa: S603 (fixed argv)
        [str(BROADSHEET), *args],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"broadsheet {' '.join(args)} failed:\n{completed.stderr[-2000:]}")


def ensure_corpus(corpus: Corpus, say: Callable[[str], None] = print) -> str:
    """Make the corpus usable; returns what was done ("reused" or "built in N s")."""
    present = corpus.backend == "sqlite" or pg_exists(corpus.url)
    if present:
        count, at_head = _inspect(corpus.url)
        if count == corpus.size and at_head:
            return "reused"
    say(f"building corpus {corpus.label} (broadsheet migrate + demo --articles {corpus.size})")
    started = time.monotonic()
    reset_database(corpus.url)
    broadsheet(corpus.url, "migrate")
    broadsheet(corpus.url, "demo", "--articles", str(corpus.size), "--no-progress")
    count, at_head = _inspect(corpus.url)
    if count != corpus.size or not at_head:
        raise RuntimeError(f"corpus {corpus.label}: {count} articles, at head: {at_head}")
    return f"built in {time.monotonic() - started:.0f}s"


def read_fixtures(corpus: Corpus) -> Fixtures:
    engine = create_sync_db_engine(get_settings(), url=corpus.url)
    try:
        with engine.connect() as connection:
            stride = max(1, corpus.size // SAMPLE_SIZE)
            slugs = connection.execute(
                text("SELECT slug FROM articles WHERE id % :stride = 0 ORDER BY id LIMIT :n"),
                {"stride": stride, "n": SAMPLE_SIZE},
            ).scalars()
            # Entities with at least a full page of articles, spread over the id range.
            entities = connection.execute(
                text(
                    "SELECT e.slug, e.name FROM entities e JOIN mentions m ON m.entity_id = e.id"
                    " GROUP BY e.id, e.slug, e.name HAVING count(*) >= 20 ORDER BY e.id"
                )
            ).all()
            step = max(1, len(entities) // ENTITY_SAMPLE)
            chosen = entities[::step][:ENTITY_SAMPLE]
            deep_offset = int(corpus.size * DEEP_FRACTION) - 1
            row = connection.execute(
                select_articles(with_body=False)
                .order_by(Article.published_at.desc(), Article.id.desc())
                .offset(deep_offset)
                .limit(1)
            ).one()
            return Fixtures(
                article_slugs=list(slugs),
                entity_slugs=[slug for slug, _ in chosen],
                search_terms=[name.split()[0].lower() for _, name in chosen],
                # Resumes right after the row at 90 % depth: the page a deep scroll asks for.
                deep_cursor=article_cursor(ArticleOrder.NEWEST, article_from_row(row)),
                deep_offset=deep_offset + 1,
            )
    finally:
        engine.dispose()
