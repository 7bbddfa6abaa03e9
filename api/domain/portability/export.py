"""The store as a `broadsheet ingest` file: one JSON line per article.

An ingest line is an article; its source, category and entities are given inline the first
time the file names them and by slug after that, so the file recreates them in an empty
store. Articles are read in id order (or changes-log order with ``since``), a batch at a
time with their mentions and links, inside one snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    String,
    Text,
    cast,
    func,
    literal_column,
    select,
    type_coerce,
)

from api.domain.changes.log import CURSOR_KIND, CURSOR_SEQ, changes_cursor
from api.domain.portability.reading import count_rows, snapshot
from api.domain.portability.tables import table_of
from api.domain.shared.cursors import decode_cursor
from api.models import Article, ArticleLink, Category, Change, Entity, Mention, Source

EXPORT_BATCH_ARTICLES = 2_000
# Values go straight from the database into JSON text: enums as their stored strings and
# JSON columns as their stored text (orjson.Fragment), with no Python objects in between.
_ARTICLE_COLUMNS = (
    Article.id,
    Article.url,
    Article.title,
    Article.slug,
    Article.source_id,
    Article.category_id,
    Article.author,
    Article.image_url,
    Article.image_credit,
    type_coerce(Article.sentiment, String).label("sentiment"),
    Article.sentiment_score,
    Article.importance,
    Article.summary,
    cast(Article.analysis, Text).label("analysis"),
    cast(Article.key_takeaways, Text).label("key_takeaways"),
    Article.language,
)
_SOURCE_FIELDS = ("slug", "name", "homepage_url", "feed_url", "logo_url")
_CATEGORY_FIELDS = ("slug", "name", "icon")
_ENTITY_FIELDS = (
    "slug",
    "name",
    "type",
    "aliases",
    "ticker",
    "wikidata_id",
    "homepage_url",
    "description",
)


def _first_inline(references: dict[int, Any], key: int) -> Any:
    """The reference as written on this line: the whole row the first time, then its slug."""
    value = references[key]
    if isinstance(value, dict):
        references[key] = value["slug"]
    return value


def _published_at(dialect: str) -> Any:
    """RFC 3339 text in UTC, built in SQL the same way on both backends (no fraction when
    it is zero, as Python and orjson write it), so the rows need no conversion at all."""
    if dialect == "sqlite":
        # UtcDateTime keeps SQLite's values as naive UTC text.
        text = func.replace(type_coerce(Article.published_at, String), " ", "T")
    else:
        utc = Article.published_at.op("AT TIME ZONE")(literal_column("'UTC'"))
        text = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS.US'"))
    return (func.replace(text, ".000000", "") + "+00:00").label("published_at")


def since_position(cursor: str) -> int:
    """The changes-log position inside a ``/v1/changes`` cursor; InvalidInput if unreadable."""
    return int(decode_cursor(cursor, CURSOR_KIND, [CURSOR_SEQ], param="since")[0])


@dataclass(slots=True)
class ExportReport:
    articles: int = 0
    sources: int = 0
    categories: int = 0
    entities: int = 0
    # Deleted articles have no ingest line; with ``since`` they are counted, not written.
    deletions_skipped: int = 0
    # Where a later ``--since`` export carries on from.
    position: int = 0
    seconds: float = 0.0

    @property
    def next_cursor(self) -> str:
        return changes_cursor(self.position)

    def describe(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        text = (
            f"exported {self.articles:,} articles ({self.sources:,} sources, "
            f"{self.categories:,} categories, {self.entities:,} entities inline) "
            f"in {self.seconds:.1f}s ({rate:,.0f} articles/s)"
        )
        if self.deletions_skipped:
            text += f"; {self.deletions_skipped:,} deleted articles left out"
        return f"{text}; continue with --since {self.next_cursor}"


@dataclass(slots=True)
class _Named:
    """Reference rows already written inline: later lines name them by slug."""

    sources: dict[int, str] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)
    entities: dict[int, str] = field(default_factory=dict)


class Export:
    """One export run over a snapshot: ``total`` for a progress bar, then ``chunks``."""

    def __init__(self, connection: Connection, *, since: int | None = None) -> None:
        self.connection = connection
        self.since = since
        self.report = ExportReport()
        self._named = _Named()
        self._columns = (*_ARTICLE_COLUMNS, _published_at(connection.dialect.name))
        last = connection.execute(select(func.coalesce(func.max(Change.seq), 0))).scalar_one()
        self.report.position = max(int(last), since or 0)

    def total(self) -> int:
        """How many articles the export will write (an upper bound with ``since``)."""
        if self.since is None:
            return count_rows(self.connection, table_of(Article))
        changed = select(Change.resource_id).where(
            Change.seq > self.since, Change.resource == "article"
        )
        return count_rows(self.connection, table_of(Article), Article.public_id.in_(changed))

    def chunks(self) -> Iterator[tuple[bytes, int]]:
        """JSON Lines text and how many articles it holds, a batch at a time."""
        started = time.perf_counter()
        batches = self._all_batches() if self.since is None else self._changed_batches()
        for rows in batches:
            lines = self._lines(rows)
            self.report.articles += len(rows)
            yield b"".join(lines), len(rows)
            self.report.seconds = time.perf_counter() - started

    def _all_batches(self) -> Iterator[Sequence[Any]]:
        last = 0
        while True:
            stmt = (
                select(*self._columns)
                .where(Article.id > last)
                .order_by(Article.id)
                .limit(EXPORT_BATCH_ARTICLES)
            )
            rows = self._tuples(stmt)
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def _changed_batches(self) -> Iterator[Sequence[Any]]:
        """Articles changed after the position, once each, in the order they first changed."""
        assert self.since is not None
        seen: set[str] = set()
        last = self.since
        while True:
            stmt = (
                select(Change.seq, Change.resource_id, Change.op)
                .where(Change.seq > last, Change.resource == "article")
                .order_by(Change.seq)
                .limit(EXPORT_BATCH_ARTICLES)
            )
            changes = self.connection.execute(stmt).all()
            if not changes:
                return
            last = changes[-1].seq
            # Once each, even when an article changed several times in this batch.
            fresh = list(dict.fromkeys(c.resource_id for c in changes if c.resource_id not in seen))
            seen.update(fresh)
            if fresh:
                found = self._tuples(select(*self._columns).where(Article.public_id.in_(fresh)))
                # An article created and deleted after the position has no line to write.
                self.report.deletions_skipped += len(fresh) - len(found)
                if found:
                    yield sorted(found, key=lambda row: row[0])

    def _lines(self, rows: Sequence[Any]) -> list[bytes]:
        ids = [row[0] for row in rows]
        sources = self._reference(Source, {r[4] for r in rows}, self._named.sources)
        categories = self._reference(
            Category, {r[5] for r in rows} - {None}, self._named.categories
        )
        mentions: dict[int, list[dict[str, Any]]] = {}
        mention_rows = self._tuples(
            select(
                Mention.article_id,
                Mention.entity_id,
                Mention.salience,
                type_coerce(Mention.sentiment, String).label("sentiment"),
            )
            .where(self._among(Mention.article_id, ids))
            .order_by(Mention.article_id, Mention.entity_id)
        )
        entities = self._reference(Entity, {m[1] for m in mention_rows}, self._named.entities)
        # Unpacked by position: a Row's attribute lookup costs more than building the line.
        for article_id, entity_id, salience, sentiment in mention_rows:
            entity = entities[entity_id]
            if type(entity) is dict:  # first mention in the file: inline, then by slug
                entities[entity_id] = entity["slug"]
            mentions.setdefault(article_id, []).append(
                {"entity": entity, "salience": salience, "sentiment": sentiment}
            )
        links: dict[int, list[dict[str, Any]]] = {}
        target = Article.__table__.alias("target")
        link_rows = self._tuples(
            select(
                ArticleLink.from_article_id,
                target.c.url,
                type_coerce(ArticleLink.kind, String).label("kind"),
                ArticleLink.score,
            )
            .join(target, target.c.id == ArticleLink.to_article_id)
            .where(self._among(ArticleLink.from_article_id, ids))
            .order_by(ArticleLink.from_article_id, ArticleLink.id)
        )
        for from_id, url, kind, score in link_rows:
            links.setdefault(from_id, []).append({"url": url, "kind": kind, "score": score})
        lines = []
        dumps, fragment, newline = orjson.dumps, orjson.Fragment, orjson.OPT_APPEND_NEWLINE
        no_mentions: list[dict[str, Any]] = []
        for (
            article_id,
            url,
            title,
            slug,
            source_id,
            category_id,
            author,
            image_url,
            image_credit,
            sentiment,
            sentiment_score,
            importance,
            summary,
            analysis,
            key_takeaways,
            language,
            published_at,
        ) in rows:
            line = {
                "url": url,
                "title": title,
                "slug": slug,
                "source": _first_inline(sources, source_id),
                "category": None if category_id is None else _first_inline(categories, category_id),
                "author": author,
                "published_at": published_at,
                "image_url": image_url,
                "image_credit": image_credit,
                "sentiment": sentiment,
                "sentiment_score": sentiment_score,
                "importance": importance,
                "summary": summary,
                "analysis": fragment(analysis),
                "key_takeaways": fragment(key_takeaways),
                "language": language,
                "mentions": mentions.get(article_id, no_mentions),
                "links": links.get(article_id, no_mentions),
            }
            lines.append(dumps(line, option=newline))
        return lines

    def _tuples(self, stmt: Any) -> list[Any]:
        """The driver's own row tuples: every column is selected as the text or number it is
        written as (see _ARTICLE_COLUMNS), so SQLAlchemy's per-row processing is skipped."""
        result = self.connection.execute(stmt)
        try:
            return list(result.cursor.fetchall())
        finally:
            result.close()

    def _among(self, column: Any, ids: list[int]) -> Any:
        # A full export's batch is every article in its id range: a range scan is cheaper
        # than a long IN list. Changed articles are scattered, so they need the list.
        if self.since is None:
            return column.between(ids[0], ids[-1])
        return column.in_(ids)

    def _reference(
        self, model: type[Source | Category | Entity], ids: set[int], named: dict[int, str]
    ) -> dict[int, Any]:
        """Slug of each row already written; the whole row, once, for a first mention."""
        result: dict[int, Any] = {i: named[i] for i in ids if i in named}
        new = sorted(ids - named.keys())
        if not new:
            return result
        fields = {Source: _SOURCE_FIELDS, Category: _CATEGORY_FIELDS, Entity: _ENTITY_FIELDS}[model]
        table = model.__table__
        stmt = select(table.c.id, *(table.c[name] for name in fields)).where(table.c.id.in_(new))
        for row in self.connection.execute(stmt):
            data = {name: getattr(row, name) for name in fields}
            result[row.id] = data
            named[row.id] = data["slug"]
        counter = {Source: "sources", Category: "categories", Entity: "entities"}[model]
        setattr(self.report, counter, getattr(self.report, counter) + len(new))
        return result


@contextmanager
def open_export(engine: Engine, *, since: int | None = None) -> Iterator[Export]:
    """An export over one snapshot of the store, open while the context lasts."""
    with snapshot(engine) as connection:
        yield Export(connection, since=since)
