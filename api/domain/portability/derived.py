"""State the target derives from the copied rows: entity counts and the search index.

The target's triggers fire while rows are copied in: each mention adds one to its
entity's count (SQLite) or a delta row (PostgreSQL), and each article is marked stale for
search. The counts are recomputed from the mentions once at the end, and the search index
is rebuilt in bounded transactions with the same catch-up every write uses, so a copy
between SQLite (FTS5) and PostgreSQL (tsvector) gets the index native to its target.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, Engine, delete, func, select, text, update

from api.domain.portability.tables import table_of, upsert
from api.domain.search import catch_up_sync
from api.domain.search.index import catch_up_statements
from api.models import Article, Entity, Mention, SearchPending

REINDEX_BATCH_ARTICLES = 5_000


def recount_entities(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The copy's own deltas are superseded by the recount below.
            connection.execute(text("DELETE FROM entity_count_deltas"))
        mentions = (
            select(func.count())
            .select_from(Mention)
            .where(Mention.entity_id == Entity.id)
            .scalar_subquery()
        )
        connection.execute(update(Entity).values(article_count=mentions))


def reindex_all(
    engine: Engine, progress: Callable[[int], None] | None = None, *, workers: int = 1
) -> None:
    """Rebuild every article's search document, a batch of articles per transaction.

    On PostgreSQL ``workers`` connections build documents side by side (the build is CPU
    work in the server: tokenizing every text). SQLite has one writer: one at a time.
    """
    with engine.begin() as connection:
        connection.execute(delete(SearchPending))
    ranges = _id_ranges(engine)
    if engine.dialect.name != "postgresql" or workers <= 1:
        for low, high in ranges:
            _reindex_range(engine, low, high, progress)
        return
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                bounds = next(ranges, None)
            if bounds is None:
                return
            _reindex_range(engine, *bounds, progress, parallel=True)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(work) for _ in range(workers)]:
            done.result()


def _id_ranges(engine: Engine) -> Iterator[tuple[int, int]]:
    """Consecutive id ranges of REINDEX_BATCH_ARTICLES articles each, walked by keyset."""
    last = 0
    while True:
        with engine.connect() as connection:
            ids = connection.execute(
                select(Article.id)
                .where(Article.id > last)
                .order_by(Article.id)
                .offset(REINDEX_BATCH_ARTICLES - 1)
                .limit(1)
            ).scalar()
            if ids is None:
                top = connection.execute(select(func.max(Article.id))).scalar()
                if top is not None and top > last:
                    yield last + 1, top
                return
        yield last + 1, ids
        last = ids


def _reindex_range(
    engine: Engine,
    low: int,
    high: int,
    progress: Callable[[int], None] | None,
    *,
    parallel: bool = False,
) -> None:
    with engine.begin() as connection:
        ids = list(
            connection.execute(
                select(Article.id).where(Article.id.between(low, high)).order_by(Article.id)
            ).scalars()
        )
        _reindex(connection, ids, parallel=parallel)
    if progress is not None:
        progress(len(ids))


def reindex(engine: Engine, article_ids: Iterable[int]) -> None:
    with engine.begin() as connection:
        _reindex(connection, list(article_ids))


def _reindex(connection: Connection, ids: list[int], *, parallel: bool = False) -> None:
    if ids:
        stale = upsert(table_of(SearchPending), connection.dialect.name)
        connection.execute(stale, [{"article_id": i} for i in ids])
    if not parallel:
        catch_up_sync(connection)
        return
    # The catch-up every write runs, minus its advisory lock. The lock orders concurrent
    # writers' log positions and entity-count updates; here nothing else writes, there
    # are no count deltas (the copy's triggers were off), and each worker's drain sees
    # only the pending rows it inserted itself (the others' are not committed yet).
    for statement in catch_up_statements(connection.dialect.name):
        if "pg_advisory_xact_lock" not in statement:
            connection.execute(text(statement))
