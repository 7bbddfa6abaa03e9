"""``copy --catch-up``: bring a copied target up to date with what the source wrote since.

The target's last changes-log position is where the previous copy (or catch-up) stopped,
because the log is copied verbatim. Articles, sources and entities named by later log
entries are re-copied (deleted when gone on the source), with the mentions and links of
those articles. Tables the log does not cover (categories, tombstones, API keys,
webhooks, deliveries, idempotency records) are re-synchronised whole, a batch at a time:
rows upserted by primary key, rows gone from the source deleted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, select, tuple_

from api.db import migrate
from api.domain.portability import derived
from api.domain.portability.reading import snapshot, table_batches
from api.domain.portability.tables import (
    TargetRefused,
    reset_sequences,
    row_dicts,
    table_of,
    upsert,
)
from api.models import Article, ArticleLink, Base, Change, Entity, Mention, Source

CATCH_UP_BATCH = 1_000
# Not in the changes log: compared whole. Order: parents before children.
WHOLE_TABLES = (
    "categories",
    "api_keys",
    "article_tombstones",
    "idempotent_requests",
    "webhook_subscriptions",
    "webhook_deliveries",
    # Stories are written with the articles but not logged per row: compared whole, after
    # the articles they point at.
    "stories",
    "story_members",
    "story_signatures",
    "story_entity_keys",
)


@dataclass(slots=True)
class CatchUpReport:
    since: int = 0
    until: int = 0
    articles: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def describe(self) -> str:
        synced = ", ".join(f"{name} {count:,}" for name, count in self.rows.items() if count)
        return (
            f"caught up from change {self.since:,} to {self.until:,}: {self.articles:,} "
            f"articles re-copied; rows upserted or deleted: {synced or 'none'}; "
            f"in {self.seconds:.1f}s"
        )


def catch_up_store(source: Engine, target: Engine) -> CatchUpReport:
    started = time.perf_counter()
    with target.connect() as connection:
        if not migrate.is_at_head(connection):
            raise TargetRefused("the target is not a migrated copy: run copy without --catch-up")
        since = connection.execute(select(func.coalesce(func.max(Change.seq), 0))).scalar_one()
        if since == 0 and connection.execute(select(Article.id).limit(1)).first() is None:
            raise TargetRefused("the target holds no copy yet: run copy without --catch-up")
    report = CatchUpReport(since=since, until=since)
    touched: list[int] = []
    with snapshot(source) as reading:
        changed = _changed_keys(reading, since)
        _sync_by_slug(reading, target, Source, changed.get("source", set()))
        _sync_by_slug(reading, target, Entity, changed.get("entity", set()))
        _sync_whole(reading, target, Base.metadata.tables["categories"], report)
        for public_ids in _chunks(sorted(changed.get("article", set()))):
            touched += _sync_articles(reading, target, public_ids)
        report.articles = len(changed.get("article", set()))
        for name in WHOLE_TABLES[1:]:
            _sync_whole(reading, target, Base.metadata.tables[name], report)
        for rows in table_batches(reading, table_of(Change), where=Change.seq > since):
            with target.begin() as writing:
                writing.execute(table_of(Change).insert(), row_dicts(rows))
            report.until = rows[-1].seq
    derived.recount_entities(target)
    for ids in _chunks(touched):
        derived.reindex(target, ids)
    with target.begin() as connection:
        reset_sequences(connection)
    report.seconds = time.perf_counter() - started
    return report


def _changed_keys(reading: Connection, since: int) -> dict[str, set[str]]:
    """Public keys named by log entries after ``since``, by resource."""
    keys: dict[str, set[str]] = {}
    rows = reading.execute(
        select(Change.resource, Change.resource_id).where(Change.seq > since).distinct()
    )
    for resource, key in rows:
        keys.setdefault(resource, set()).add(key)
    return keys


def _sync_by_slug(
    reading: Connection, target: Engine, model: type[Source | Entity], slugs: set[str]
) -> None:
    """Upsert the named rows; rows gone on the source are deleted after the articles."""
    table = table_of(model)
    for chunk in _chunks(sorted(slugs)):
        rows = reading.execute(select(table).where(table.c.slug.in_(chunk))).all()
        with target.begin() as writing:
            present = {row.slug for row in rows}
            gone = [slug for slug in chunk if slug not in present]
            if gone and model is Entity:
                # Deleting an entity cascades to its mentions, as on the source.
                writing.execute(delete(table).where(table.c.slug.in_(gone)))
            if rows:
                writing.execute(upsert(table, writing.dialect.name), row_dicts(rows))
            if gone and model is Source:
                # A source can go only once it has no articles: delete whatever still
                # points at it on the target (the source deleted those too).
                writing.execute(
                    delete(Article).where(
                        Article.source_id.in_(select(table.c.id).where(table.c.slug.in_(gone)))
                    )
                )
                writing.execute(delete(table).where(table.c.slug.in_(gone)))


def _sync_articles(reading: Connection, target: Engine, public_ids: Sequence[str]) -> list[int]:
    """Re-copy these articles with their mentions and links; delete the ones gone."""
    rows = reading.execute(select(table_of(Article)).where(Article.public_id.in_(public_ids)))
    articles = rows.all()
    ids = [row.id for row in articles]
    mentions = reading.execute(select(table_of(Mention)).where(Mention.article_id.in_(ids))).all()
    links = reading.execute(
        select(table_of(ArticleLink)).where(ArticleLink.from_article_id.in_(ids))
    ).all()
    with target.begin() as writing:
        # Gone, or replaced under another internal id (a URL re-used after a delete).
        writing.execute(
            delete(Article).where(Article.public_id.in_(public_ids), Article.id.not_in(ids))
        )
        if articles:
            writing.execute(upsert(table_of(Article), writing.dialect.name), row_dicts(articles))
        writing.execute(delete(Mention).where(Mention.article_id.in_(ids)))
        writing.execute(delete(ArticleLink).where(ArticleLink.from_article_id.in_(ids)))
        if mentions:
            writing.execute(table_of(Mention).insert(), row_dicts(mentions))
        if links:
            writing.execute(table_of(ArticleLink).insert(), row_dicts(links))
    return ids


def _sync_whole(reading: Connection, target: Engine, table: Table, report: CatchUpReport) -> None:
    """Make ``table`` on the target equal to the source's, in batches both ways."""
    synced = 0
    for rows in table_batches(reading, table):
        with target.begin() as writing:
            writing.execute(upsert(table, writing.dialect.name), row_dicts(rows))
        synced += len(rows)
    key = list(table.primary_key.columns)
    positions = [list(table.columns).index(c) for c in key]
    # Walks the target's rows while deleting behind the walk, on another connection.
    with target.connect() as listing:
        for rows in table_batches(listing, table):
            keys = [tuple(row[p] for p in positions) for row in rows]
            found = reading.execute(select(*key).where(tuple_(*key).in_(keys)))
            present = {tuple(row) for row in found}
            gone = [k for k in keys if k not in present]
            if gone:
                with target.begin() as writing:
                    writing.execute(delete(table).where(tuple_(*key).in_(gone)))
                synced += len(gone)
    report.rows[table.name] = synced


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CATCH_UP_BATCH):
        yield values[start : start + CATCH_UP_BATCH]
