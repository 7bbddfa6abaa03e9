"""The demo's stories: its articles clustered as the write path would, batch by batch.

The same engine (``api.domain.stories.clustering``) runs in memory over the generated
batches in publication order, so the stories equal what writing the same articles through
the API gives (stories are connected components: the partition does not depend on the
batching). Story ids are assigned here, 1..n in founding order, and public ids come from the
demo's seeded generator: same seed, same stories. Articles older than the window are let go
as the generation moves on, so memory stays bounded however large the corpus.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, delete, select, update

from api.db.bulk import PreparedInsert, prepare_insert
from api.demo.catalog import Catalog
from api.demo.generator import Batch
from api.demo.keys import uuid7
from api.domain.stories.aggregates import sources_json, summarize
from api.domain.stories.clustering import Clusterer, Item, Membership
from api.domain.stories.clustering_features import Signature
from api.domain.stories.writes import explanation
from api.models import Base, LinkKind
from api.settings import get_settings

Row = dict[str, Any]
_T = Base.metadata.tables


def items_of(batch: Batch, catalog: Catalog) -> list[Item]:
    """A generated batch as the clustering sees it."""
    mentions: dict[int, list[tuple[int, float]]] = {}
    for m in batch.mentions:
        mentions.setdefault(m["article_id"], []).append((m["entity_id"], m["salience"]))
    names = catalog.entity_names
    return [
        Item(
            a["id"],
            a["url"],
            a["published_at"],
            a["source_id"],
            Signature.build(
                a["title"],
                a["summary"],
                mentions.get(a["id"], ()),
                [names[e - 1] for e, _ in mentions.get(a["id"], ())],
            ),
        )
        for a in batch.articles
    ]


def links_of(batch: Batch) -> dict[int, set[int]]:
    links: dict[int, set[int]] = {}
    for link in batch.links:
        if link["kind"] == LinkKind.SAME_STORY:
            links.setdefault(link["from_article_id"], set()).add(link["to_article_id"])
            links.setdefault(link["to_article_id"], set()).add(link["from_article_id"])
    return links


@dataclass(frozen=True, slots=True)
class StoryWrites:
    """One batch's story rows, converted for the driver (picklable, for pipeline.py)."""

    founded: PreparedInsert | None
    moves: list[Row]  # merges: members of story "old" go to story "new"
    after_merges: list[PreparedInsert | None]

    def run(self, connection: Connection) -> None:
        if self.founded is not None:
            self.founded.run(connection)
        _apply_merges(connection, self.moves)
        for statement in self.after_merges:
            if statement is not None:
                statement.run(connection)


class DemoStories:
    """Clusters each generated batch and writes its stories, members and lookups."""

    def __init__(self, catalog: Catalog, *, seed: int) -> None:
        self.catalog = catalog
        self.clusterer = Clusterer(get_settings().story_window_hours)
        self.rng = random.Random(f"broadsheet-demo-stories:{seed}")
        self.story_ids: dict[int, int] = {}  # engine key -> stories.id
        self.next_id = 1
        self.merged = 0  # merges already applied
        self.public_ids: dict[int, str] = {}
        self.count = 0
        self.names = {
            i: (e["slug"], e["name"], str(e["type"])) for i, e in enumerate(catalog.entities, 1)
        }

    def cluster(self, batch: Batch) -> tuple[list[Item], list[Membership]]:
        items = items_of(batch, self.catalog)
        memberships = self.clusterer.assign_all(items, links_of(batch))
        return items, memberships

    def prepare(self, dialect: Dialect, batch: Batch) -> StoryWrites:
        """Cluster ``batch`` now; what it writes comes back ready to run (pipeline.py)."""
        items, memberships = self.cluster(batch)
        self.public_ids |= {a["id"]: a["public_id"] for a in batch.articles}
        created = {a["id"]: a["created_at"] for a in batch.articles}
        published = {i.article_id: i.published_at for i in items}
        find = self.clusterer.find
        first: dict[int, dt.datetime] = {}
        for m in memberships:
            key = find(m.story)
            if key not in self.story_ids:
                at = published[m.article_id]
                first[key] = min(first.get(key, at), at)
        rows = []
        for key in sorted(first, reverse=True):  # in founding order: -1, -2, ...
            self.story_ids[key] = self.next_id
            rows.append(self._story_row(self.next_id, first[key]))
            self.next_id += 1
        moves = self._merges()
        members = [
            {
                "article_id": m.article_id,
                "story_id": self.story_ids[find(m.story)],
                "score": m.score,
                "explanation": explanation(m, self.names, self.public_ids),
                "joined_at": created[m.article_id],
            }
            for m in memberships
        ]
        signatures = [
            {
                "article_id": i.article_id,
                "published_at": i.published_at,
                "source_id": i.source_id,
                "terms": i.signature.stored_terms(),
                "entities": i.signature.stored_entities(),
            }
            for i in items
        ]
        keys = [
            {"entity_id": e, "term": t, "published_at": i.published_at, "article_id": i.article_id}
            for i in items
            for e, t in sorted(i.signature.blocks())
        ]
        founded = prepare_insert(dialect, _T["stories"], rows)
        after_merges = [
            prepare_insert(dialect, _T["story_members"], members),
            prepare_insert(dialect, _T["story_signatures"], signatures),
            prepare_insert(dialect, _T["story_entity_keys"], keys),
        ]
        self.count += len(memberships)
        if items:  # batches come in publication order: older articles are never candidates
            self.clusterer.forget_before(items[-1].published_at - 2 * self.clusterer.window)
            kept = self.clusterer.items
            self.public_ids = {k: v for k, v in self.public_ids.items() if k in kept}

        return StoryWrites(founded, moves, after_merges)

    def _story_row(self, story_id: int, at: dt.datetime) -> Row:
        unix_ms = int(at.timestamp() * 1000)
        return {
            "id": story_id,
            "public_id": uuid7(unix_ms, self.rng.getrandbits(74)),
            "size": 0,
            "source_count": 0,
            "first_published_at": at,
            "last_published_at": at,
            "sources": "[]",
            "created_at": at,
            "updated_at": at,
        }

    def _merges(self) -> list[Row]:
        """The story moves the merges since the last batch ask for (old id -> new id)."""
        merges = self.clusterer.merges[self.merged :]
        self.merged = len(self.clusterer.merges)
        return [
            {"old": self.story_ids[absorbed], "new": self.story_ids[self.clusterer.find(absorbed)]}
            for absorbed, _ in merges
            if absorbed in self.story_ids
        ]


def _apply_merges(connection: Connection, moves: list[Row]) -> None:
    if not moves:
        return
    members = _T["story_members"]
    connection.execute(
        update(members)
        .where(members.c.story_id == bindparam("old"))
        .values(story_id=bindparam("new")),
        moves,
    )
    gone = [m["old"] for m in moves]
    stories = _T["stories"]
    connection.execute(delete(stories).where(stories.c.id.in_(gone)))


def refresh_all(connection: Connection) -> int:
    """Every story's aggregates and sources from its members, once the corpus is loaded.
    Returns stories."""
    members, articles, stories = _T["story_members"], _T["articles"], _T["stories"]
    sources = _T["sources"]
    stmt = (
        select(
            members.c.story_id,
            articles.c.id,
            articles.c.importance,
            articles.c.published_at,
            articles.c.source_id,
            sources.c.slug,
            sources.c.name,
        )
        .join(articles, articles.c.id == members.c.article_id)
        .join(sources, sources.c.id == articles.c.source_id)
        .order_by(members.c.story_id)
    )
    current: int | None = None
    group: list[tuple[int, int, Any, int, str, str]] = []
    changes: list[Row] = []
    count = 0
    write = (
        update(stories)
        .where(stories.c.id == bindparam("sid"))
        .values(
            size=bindparam("size"),
            source_count=bindparam("source_count"),
            headline_article_id=bindparam("headline_article_id"),
            first_published_at=bindparam("first_published_at"),
            last_published_at=bindparam("last_published_at"),
            sources=bindparam("sources"),
            updated_at=bindparam("last_published_at"),
        )
    )

    def flush(rows: Sequence[Row]) -> None:
        if rows:
            connection.execute(write, list(rows))

    for story_id, *member in connection.execute(stmt):
        if story_id != current:
            if group and current is not None:
                changes.append(_values(current, group))
                count += 1
            current, group = story_id, []
        group.append((member[0], member[1], member[2], member[3], member[4], member[5]))
        if len(changes) >= 5_000:
            flush(changes)
            changes = []
    if group and current is not None:
        changes.append(_values(current, group))
        count += 1
    flush(changes)
    return count


def _values(story_id: int, group: list[tuple[int, int, Any, int, str, str]]) -> Row:
    """A story's stored values from (article id, importance, published_at, source id,
    source slug, source name) of each member."""
    return {
        "sid": story_id,
        **summarize([m[:4] for m in group]),
        "sources": sources_json((m[2], m[3], m[4], m[5]) for m in group),
    }
