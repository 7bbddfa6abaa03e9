"""Related articles: stored links first, then articles ranked by the entities they share.

A shared entity ``e`` between the seed ``s`` and a candidate ``c`` contributes
``idf(e) * salience(s, e) * salience(c, e) * decay(c)``; an item's score is the sum of its
contributions, and the contributions, largest first, are its explanation.

- ``idf(e) = ln(1 + N / article_count(e))``. ``article_count`` is kept by triggers
  (migration 0002). ``N`` is ``max(articles.id)``, not ``count(*)``: O(1) on both backends
  where an exact count scans the table; ids are dense except for deleted articles, so N
  is a close upper bound, and a slightly high N shifts every idf alike.
- ``decay = 0.5 ** (|published_at(c) - published_at(s)| in days / HALF_LIFE_DAYS)``:
  measured from the seed, not from now, so the same request always gives the same answer
  and stories from around the seed's time win ties.
- Candidates (an approximation): the most popular entities are in a large share of the
  articles, so taking every article that shares one would scan much of ``mentions`` per
  request. Per shared entity we take the ``CANDIDATES_PER_SIDE`` articles nearest the
  seed by id on each side (index range scans on ``ix_mentions_entity_id_article_id``).
  Ids are assigned at ingest, so for a live feed they follow publication time and these
  are the articles where decay is largest; for backfilled articles "near" means near in
  ingestion. An entity mentioned by fewer articles than that is taken whole, so a rare
  shared entity is never missed; an article sharing only popular entities far from the
  seed may be. Every candidate is scored exactly, on all the entities it shares with the
  seed.
- Stored links (outgoing, as the article page lists them) come first: by link score
  (unscored last), then ``LINK_KIND_PRIORITY``, then newest. An article both linked and
  sharing entities appears once, as the link: an editor's statement outranks a statistic.
  A link item's ``score`` is the link's own (0-1 or null), not comparable with computed ones.
- ``entity_type`` restricts which shared entities count (links carry no entities);
  ``published_after`` (inclusive) filters linked targets and candidates alike, exactly.
  Candidate ranges then start at the first article published since (by the time index):
  with ids in publication order, the nearest qualifying articles, at once.
- Order: score DESC, published_at DESC, id DESC; the seed itself is never listed.

Statements: seeds, stored links, candidates, winners' headlines — four for any number of
seeds and any limit, the seed lookup by key included.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_rows
from api.domain.related import statements as sql
from api.domain.shared.article_rows import article_ref_from_row, links_statement
from api.domain.shared.records import ArticleRefRecord, RelatedRecord, SharedEntityRecord
from api.errors import InvalidInput
from api.models import EntityType

MAX_RELATED = 50
HALF_LIFE_DAYS = 7.0
# Among links of equal score: the closest relation first; unknown kinds last.
LINK_KIND_PRIORITY = {"same_story": 0, "follow_up": 1, "analysis": 2, "background": 3}
_DAY = 86_400.0
_DECAY_RATE = math.log(0.5) / (HALF_LIFE_DAYS * _DAY)  # 0.5 ** (t / h) == exp(rate * t)
_MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
# Times are compared in milliseconds: SQLite's julianday arithmetic is exact to ~40 µs only,
# and equal times must tie (then the higher id wins) on both backends.


@dataclass(slots=True)
class _Seed:
    pk: int
    public_id: str
    time: float
    # entity id -> (idf * seed salience, slug, name, type), and its candidate id range
    weights: dict[int, tuple[float, str, str, str]] = field(default_factory=dict)
    ranges: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Candidate:
    pk: int
    time: float
    shared: list[tuple[float, str, str, str]]
    score: float


@dataclass(frozen=True, slots=True)
class _Link:
    target_pk: int
    kind: str
    score: float | None
    article: ArticleRefRecord


def _seeds(rows: Iterable[Any]) -> dict[int, _Seed]:
    seeds: dict[int, _Seed] = {}
    for (
        pk,
        public_id,
        time,
        corpus_size,
        entity,
        salience,
        slug,
        name,
        type_,
        count,
        low,
        high,
        pivot,
    ) in rows:
        seed = seeds.get(pk)
        if seed is None:
            seed = seeds[pk] = _Seed(pk, public_id, round(time, 3))
        if entity is None:  # no (matching) mentions
            continue
        # max(.., 1): on PostgreSQL counts lag a write until its catch-up commits.
        idf = math.log(1.0 + max(corpus_size, 1) / max(count, 1))
        seed.weights[entity] = (idf * salience, slug, name, type_)
        if pivot is None:  # published_after: no article is that recent
            continue
        # Each side of the seed on its own, from the pivot on: no id range spans ids that
        # cannot qualify. A null bound: fewer than CANDIDATES_PER_SIDE there, take them all.
        below = (entity, max(pivot, 0 if low is None else low), pk - 1)
        above = (entity, max(pivot, pk + 1), _MAX_ID if high is None else high)
        seed.ranges.extend(r for r in (below, above) if r[1] <= r[2])
    return seeds


def _score(seed: _Seed, mentions: dict[int, list[int]], rows: dict[int, Any]) -> list[_Candidate]:
    """Candidates in the seed's ranges, each scored on every entity it shares with it."""
    found: set[int] = set()
    for entity, low, high in seed.ranges:
        ids = mentions.get(entity, [])
        found.update(ids[bisect.bisect_left(ids, low) : bisect.bisect_right(ids, high)])
    found.discard(seed.pk)
    scored = []
    for pk in found:
        time, entities = rows[pk]
        decay = math.exp(_DECAY_RATE * abs(time - seed.time))
        shared = []
        for entity, salience in entities:
            weight = seed.weights.get(entity)
            if weight is not None:
                shared.append((weight[0] * salience * decay, weight[1], weight[2], weight[3]))
        shared.sort(key=lambda s: (-s[0], s[1]))
        # Summed in explanation order, so the explanation adds up to the score exactly.
        scored.append(_Candidate(pk, time, shared, sum(s[0] for s in shared)))
    scored.sort(key=lambda c: (-c.score, -c.time, -c.pk))
    return scored


async def _links(
    session: AsyncSession, keys: list[int], published_after: dt.datetime | None
) -> dict[int, list[_Link]]:
    """Strongest first (score, then kind priority, then newest), one per target."""
    values = {"seeds": keys, "published_after": published_after}
    rows = await fetch_rows(session, links_statement(published_after is not None), values)
    found: dict[int, list[_Link]] = {pk: [] for pk in keys}
    for row in rows:
        found[row[0]].append(_Link(row[3], row[1], row[2], article_ref_from_row(row, 4)))
    unknown = len(LINK_KIND_PRIORITY)
    for pk, links in found.items():
        # Stable: keeps the statement's newest-first order among equals.
        links.sort(
            key=lambda link: (
                link.score is None,
                -(link.score or 0.0),
                LINK_KIND_PRIORITY.get(link.kind, unknown),
            )
        )
        first: dict[int, _Link] = {}
        for link in links:
            first.setdefault(link.target_pk, link)
        found[pk] = list(first.values())
    return found


async def _candidates(
    session: AsyncSession, seeds: Sequence[_Seed], published_after: dt.datetime | None
) -> tuple[dict[int, list[int]], dict[int, Any]]:
    """Sorted candidate ids per entity, and each candidate's time and relevant mentions."""
    ranges = [r for seed in seeds for r in seed.ranges]
    if not ranges:
        return {}, {}
    values: dict[str, Any] = {"published_after": published_after}
    for i, (entity, low, high) in enumerate(ranges):
        values |= {f"entity_{i}": entity, f"low_{i}": low, f"high_{i}": high}
    values["entities"] = sorted({entity for entity, _low, _high in ranges})
    dialect = session.get_bind().dialect.name
    statement = sql.candidates_statement(dialect, len(ranges), published_after is not None)
    mentions: dict[int, list[int]] = {}
    rows: dict[int, Any] = {}
    for pk, time, entity, salience in await fetch_rows(session, statement, values):
        mentions.setdefault(entity, []).append(pk)
        if pk not in rows:
            rows[pk] = (round(time, 3), [])
        rows[pk][1].append((entity, salience))
    for ids in mentions.values():
        ids.sort()
    return mentions, rows


async def _related(
    session: AsyncSession,
    seeds: dict[int, _Seed],
    limit: int,
    entity_type: EntityType | None,
    published_after: dt.datetime | None,
) -> dict[int, list[RelatedRecord]]:
    keys = list(seeds)
    links = {
        pk: found[:limit] for pk, found in (await _links(session, keys, published_after)).items()
    }
    # A seed whose links fill the limit needs no candidates.
    wanting = [seed for seed in seeds.values() if len(links[seed.pk]) < limit]
    mentions, rows = await _candidates(session, wanting, published_after)
    winners = {}
    for seed in wanting:
        # Over-fetch by the links' count: a linked article is listed once, as the link.
        winners[seed.pk] = _score(seed, mentions, rows)[: limit + len(links[seed.pk])]
    refs: dict[int, ArticleRefRecord] = {}
    chosen = list({c.pk for found in winners.values() for c in found})
    if chosen:
        result = await fetch_rows(session, sql.refs_statement(), {"pks": chosen})
        refs = {row[0]: article_ref_from_row(row, 1) for row in result}
    related: dict[int, list[RelatedRecord]] = {}
    for pk in keys:
        items = [RelatedRecord(link.article, link.score, link_kind=link.kind) for link in links[pk]]
        linked = {link.target_pk for link in links[pk]}
        for candidate in winners.get(pk, ()):
            ref = refs.get(candidate.pk)
            if len(items) >= limit:
                break
            if ref is None or candidate.pk in linked:  # None: deleted since the last statement
                continue
            explanation = [SharedEntityRecord(s, n, t, c) for c, s, n, t in candidate.shared]
            items.append(RelatedRecord(ref, candidate.score, shared_entities=explanation))
        related[pk] = items
    return related


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_RELATED:
        raise InvalidInput.for_param("limit", f"must be between 1 and {MAX_RELATED}", status=400)


async def related_by_article(
    session: AsyncSession,
    article_pks: Iterable[int],
    *,
    limit: int = 10,
    entity_type: EntityType | None = None,
    published_after: dt.datetime | None = None,
) -> dict[int, list[RelatedRecord]]:
    """Related articles of several seeds at once; unknown keys map to empty lists."""
    _check_limit(limit)
    keys = list(dict.fromkeys(article_pks))
    if not keys:
        return {}
    # Core rows (fetch_rows): the ORM's row processing cost more than the scoring.
    statement = sql.seeds_statement(
        session.get_bind().dialect.name, False, entity_type is not None, published_after is not None
    )
    values = {"seeds": keys, "entity_type": entity_type, "published_after": published_after}
    seeds = _seeds(await fetch_rows(session, statement, values))
    found = await _related(session, seeds, limit, entity_type, published_after)
    return {pk: found.get(pk, []) for pk in keys}


async def related_articles(
    session: AsyncSession,
    article_pk: int,
    *,
    limit: int = 10,
    entity_type: EntityType | None = None,
    published_after: dt.datetime | None = None,
) -> list[RelatedRecord]:
    """One article's related articles: stored links, then by shared entities."""
    found = await related_by_article(
        session, [article_pk], limit=limit, entity_type=entity_type, published_after=published_after
    )
    return found[article_pk]


async def related_page(
    session: AsyncSession,
    key: str,
    *,
    limit: int = 10,
    entity_type: EntityType | None = None,
    published_after: dt.datetime | None = None,
) -> tuple[str, list[RelatedRecord]] | None:
    """The public id of the article with this id or slug and its related articles."""
    _check_limit(limit)
    statement = sql.seeds_statement(
        session.get_bind().dialect.name, True, entity_type is not None, published_after is not None
    )
    values = {"key": key, "entity_type": entity_type, "published_after": published_after}
    seeds = _seeds(await fetch_rows(session, statement, values))
    if not seeds:
        return None
    [seed] = seeds.values()
    found = await _related(session, seeds, limit, entity_type, published_after)
    return seed.public_id, found[seed.pk]
