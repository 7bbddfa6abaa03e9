"""Stories at write time: every article write path ends here, before ``finish_write``.

``assign_stories`` takes the articles a transaction created or changed (and, optionally,
unchanged ones, which are clustered only if they never were) and:

- keeps an article where it is when what the clustering compares (title and summary terms,
  salient entities, publication time, source) did not change — an edit of the image or the
  importance leaves its story alone (the story's headline is recomputed);
- otherwise *detaches* it: its membership, signature and entity keys go, its old story
  shrinks (and is deleted when it was the last member), then it is clustered again as a new
  article would be — it may stay, move to another story, found one, or bridge two;
- honours ``same_story`` links in either direction, also on articles that are kept: two
  stories joined by an editor's link merge.

Edits and deletes never split a story: members that joined through an article that moved
away or was deleted stay together (splitting is not needed for correctness, and a story id
a client saw keeps its members). ``forget_articles`` is the delete path: the article's story
shrinks, loses it as headline, and is deleted when empty.

Statements per call are bounded by the batch (IN lists in chunks of 500), never per article:
the targets the caller did not hand over (with their mentions), memberships and links of
those not just created; one candidate key query; the candidates with their stories'
founders (for a single article, with the key query folded in); then the writes as multi-row
statements (stories founded here carry their aggregates and sources); one aggregate read and update
for the stored stories that changed. A single create adds 5 statements, 6 when it joins a
stored story (``tests/domain/stories/test_story_write_cost.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    delete,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.bulk import insert_many
from api.db.database import fetch_rows
from api.domain.stories.aggregates import (
    IN_CHUNK,
    chunks,
    refresh_stories,
    sources_json,
    summarize,
)
from api.domain.stories.clustering import Clusterer, Item, Membership
from api.domain.stories.clustering_features import Signature
from api.domain.stories.loading import Names, Written, load_items, utc
from api.domain.stories.probes import articles_near
from api.models import Article, ArticleLink, Base, LinkKind
from api.models.base import utcnow
from api.models.ids import new_public_id
from api.models.story import Story, StoryEntityKey, StoryMember, StorySignature
from api.settings import get_settings

ENTITIES_PER_PROBE = 50  # entities (each with its terms) per candidate statement
_members = Base.metadata.tables[StoryMember.__tablename__]
_keys = Base.metadata.tables[StoryEntityKey.__tablename__]
_signatures = Base.metadata.tables[StorySignature.__tablename__]


async def assign_stories(
    session: AsyncSession,
    written: Sequence[int],
    unchanged: Sequence[int] = (),
    *,
    created_unlinked: Collection[int] = (),
    created: Mapping[int, Written] | None = None,
) -> None:
    """Cluster the articles with these ids (see the module docstring); flushes, never commits.

    ``created_unlinked``: of ``written``, articles created in this transaction without a
    ``same_story`` link of their own; they have no membership and no link that another
    written article would not bring, so neither is read for them. ``created``: what the
    caller wrote for some of them, used instead of reading those articles back.
    """
    settings = get_settings()
    if not settings.stories_enabled or not (written or unchanged):
        return
    await session.flush()
    ids = sorted(set(written) | set(unchanged))
    known_ids = [i for i in ids if i not in created_unlinked]
    names: Names = {}
    items, public_ids, rows = await load_items(session, ids, names, created or {})
    current = await _current(session, known_ids)
    links = await _same_story_links(session, known_ids)
    keep: dict[int, int] = {}  # article -> its story, left where it is
    detach: dict[int, int] = {}
    for article_id, (story_id, stored) in current.items():
        item = items.get(article_id)
        if item is not None and stored == _fingerprint(item):
            keep[article_id] = story_id
        else:
            detach[article_id] = story_id
    touched = {keep[i] for i in written if i in keep}
    if detach:
        await _detach(session, list(detach))
        # Exact sizes before candidates are read: a merge keeps the larger story.
        await refresh_stories(session, set(detach.values()))
    fresh = [items[i] for i in ids if i in items and i not in keep]
    if not fresh and not any(i in links for i in keep):
        await refresh_stories(session, touched)
        return

    clusterer = Clusterer(settings.story_window_hours)
    partners = {p for i in ids for p in links.get(i, ())} - {i.article_id for i in fresh}
    known, founders = await _candidates(session, fresh, clusterer.window, partners | set(keep))
    for item, story_id, size, public_id in known:
        clusterer.add_known(item, story_id, size)
        public_ids[item.article_id] = public_id
    for story_id, founder in founders:
        clusterer.add_founder(story_id, founder)
    memberships = clusterer.assign_all(fresh, links)
    for article_id in keep:  # an editor link on a kept article still joins two stories
        for other in links.get(article_id, ()):
            if other in clusterer.story_of and article_id in clusterer.story_of:
                clusterer.link(article_id, other)

    by_id = {item.article_id: item for item in fresh}
    # A story founded here that took in no stored story has only this call's articles as
    # members: its aggregates are known without reading them back.
    grown = {clusterer.find(survivor) for absorbed, survivor in clusterer.merges if absorbed > 0}
    complete: dict[int, list[Written]] = defaultdict(list)
    for m in memberships:
        root = clusterer.find(m.story)
        if root < 0 and root not in grown:
            complete[root].append(rows[m.article_id])
    story_ids = await _write_stories(session, clusterer, complete)
    final = {m.article_id: story_ids[clusterer.find(m.story)] for m in memberships}
    await _write_members(session, by_id, memberships, final, public_ids, names)
    touched = {story_ids[clusterer.find(s)] for s in touched if s in clusterer.parent}
    touched |= set(final.values())
    touched |= {story_ids[clusterer.find(survivor)] for _, survivor in clusterer.merges}
    await refresh_stories(session, touched - {story_ids[root] for root in complete})


async def forget_articles(session: AsyncSession, article_ids: Collection[int]) -> None:
    """Before deleting articles: take them out of their stories, which shrink or go."""
    if not article_ids or not get_settings().stories_enabled:
        return
    stories: set[int] = set()
    for chunk in chunks(sorted(article_ids)):
        rows = await fetch_rows(
            session, select(_members.c.story_id).where(_members.c.article_id.in_(chunk))
        )
        stories |= {row[0] for row in rows}
    await _detach(session, list(article_ids))
    await refresh_stories(session, stories)


def _fingerprint(item: Item) -> tuple[Any, ...]:
    sig = item.signature
    return (sig, item.published_at, item.source_id)


async def _current(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[int, tuple[Any, ...] | None]]:
    """Stored membership of each article, with the fingerprint it was clustered on."""
    found: dict[int, tuple[int, tuple[Any, ...] | None]] = {}
    stmt = select(
        _members.c.article_id,
        _members.c.story_id,
        _signatures.c.terms,
        _signatures.c.entities,
        _signatures.c.published_at,
        _signatures.c.source_id,
    ).outerjoin(_signatures, _signatures.c.article_id == _members.c.article_id)
    for chunk in chunks(ids):
        for row in await fetch_rows(session, stmt.where(_members.c.article_id.in_(chunk))):
            print_ = None
            if row.terms is not None:
                sig = Signature.from_stored(row.terms, row.entities)
                print_ = (sig, utc(row.published_at), row.source_id)
            found[row.article_id] = (row.story_id, print_)
    return found


async def _same_story_links(session: AsyncSession, ids: Sequence[int]) -> dict[int, set[int]]:
    links: dict[int, set[int]] = defaultdict(set)
    pairs = select(ArticleLink.from_article_id, ArticleLink.to_article_id).where(
        ArticleLink.kind == LinkKind.SAME_STORY
    )
    for chunk in chunks(ids):
        # Each side through its own index (an OR of the two made SQLite scan the links).
        both = union_all(
            pairs.where(ArticleLink.from_article_id.in_(chunk)),
            pairs.where(ArticleLink.to_article_id.in_(chunk)),
        )
        for a, b in await fetch_rows(session, both):
            links[a].add(b)
            links[b].add(a)
    return links


async def _detach(session: AsyncSession, article_ids: list[int]) -> None:
    for chunk in chunks(sorted(article_ids)):
        for table in (_members, _signatures, _keys):
            await session.execute(delete(table).where(table.c.article_id.in_(chunk)))


async def _candidates(
    session: AsyncSession, fresh: Sequence[Item], window: dt.timedelta, extra: set[int]
) -> tuple[list[tuple[Item, int, int, str]], list[tuple[int, Item]]]:
    """Clustered articles that share a salient entity with a fresh one within the window,
    with their stories; and the founders (earliest members) of those stories."""
    times: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    for item in fresh:
        for key in item.signature.blocks():
            times[key].append(item.published_at)
    fresh_ids = {item.article_id for item in fresh}
    if len(fresh) == 1 and len(extra) < IN_CHUNK:
        # One article (an API write): its keys are probed inside the candidate statement,
        # not in one of their own.
        keyed = [select(_keys.c.article_id).where(p) for p in _probes(times, window)]
        ids = sorted(extra - fresh_ids)
        if keyed:
            found = _members.c.article_id.in_(union_all(*keyed) if len(keyed) > 1 else keyed[0])
            within = or_(found, _members.c.article_id.in_(ids)) if ids else found
            return await _read_known(
                session, [and_(within, _members.c.article_id.notin_(fresh_ids))]
            )
        return await _read_known(session, [_members.c.article_id.in_(ids)] if ids else [])
    wanted = set(extra) | await articles_near(session, times, window)
    wanted -= fresh_ids
    some = [_members.c.article_id.in_(chunk) for chunk in chunks(sorted(wanted))]
    return await _read_known(session, some)


def _probes(
    times: dict[tuple[int, str], list[dt.datetime]], window: dt.timedelta
) -> list[ColumnElement[bool]]:
    """Key conditions for one article's moment: (entity = e AND term IN (...)) OR ...,
    index probes on the key's leading columns on both databases (a row-value IN list made
    SQLite scan the table)."""
    if not times:
        return []
    lo = min(min(v) for v in times.values()) - window
    hi = max(max(v) for v in times.values()) + window
    by_entity: dict[int, list[str]] = defaultdict(list)
    for entity_id, term in sorted(times):
        by_entity[entity_id].append(term)
    entities = sorted(by_entity)
    return [
        and_(
            or_(
                *(
                    and_(_keys.c.entity_id == e, _keys.c.term.in_(by_entity[e]))
                    for e in entities[start : start + ENTITIES_PER_PROBE]
                )
            ),
            _keys.c.published_at.between(lo, hi),
        )
        for start in range(0, len(entities), ENTITIES_PER_PROBE)
    ]


async def _read_known(
    session: AsyncSession, selections: Sequence[ColumnElement[bool]]
) -> tuple[list[tuple[Item, int, int, str]], list[tuple[int, Item]]]:
    """Each selection's articles (a condition on ``story_members.article_id``) with their
    stories; and those stories' founders, in the same statement: their earliest members,
    which every newcomer must also resemble."""
    known: list[tuple[Item, int, int, str]] = []
    founders: list[tuple[int, Item]] = []
    columns = (
        _signatures.c.article_id,
        _signatures.c.published_at,
        _signatures.c.source_id,
        _signatures.c.terms,
        _signatures.c.entities,
        Article.url,
        Article.public_id,
        Story.id,
        Story.size,
    )
    candidate = (
        select(literal(False).label("founder"), *columns)
        .join(Article, Article.id == _signatures.c.article_id)
        .join(_members, _members.c.article_id == _signatures.c.article_id)
        .join(Story, Story.id == _members.c.story_id)
    )
    founder = candidate.with_only_columns(literal(True).label("founder"), *columns).where(
        _signatures.c.published_at == Story.first_published_at
    )
    for selection in selections:
        stories = select(_members.c.story_id).where(selection).correlate(None)
        both = union_all(
            candidate.where(selection), founder.where(_members.c.story_id.in_(stories))
        )
        for row in await fetch_rows(session, both):
            sig = Signature.from_stored(row.terms, row.entities)
            item = Item(row.article_id, row.url, utc(row.published_at), row.source_id, sig)
            if row.founder:
                founders.append((row.id, item))
            else:
                known.append((item, row.id, row.size, row.public_id))
    return known, founders


async def _write_stories(
    session: AsyncSession,
    clusterer: Clusterer,
    complete: dict[int, list[Written]],
) -> dict[int, int]:
    """Insert the stories founded here and apply merges; stored ids by final story key.

    ``complete``: founded stories whose every member is known here, inserted with their
    aggregates and sources; the others get placeholders that ``refresh_stories`` corrects.
    """
    now = utcnow()
    roots = sorted({clusterer.find(key) for key in clusterer.parent})
    founded = {key: new_public_id() for key in roots if key < 0}
    ids: dict[int, int] = {key: key for key in roots if key > 0}
    if founded:
        placeholder = {
            "size": 0,
            "source_count": 0,
            "headline_article_id": None,
            "first_published_at": now,
            "last_published_at": now,
            "sources": "[]",
        }
        rows = [
            {
                "public_id": public_id,
                **(_founded(complete[key]) if key in complete else placeholder),
                "created_at": now,
                "updated_at": now,
            }
            for key, public_id in founded.items()
        ]
        result = await session.execute(insert(Story).returning(Story.public_id, Story.id), rows)
        by_public = {public_id: story_id for public_id, story_id in result}
        ids |= {key: by_public[public_id] for key, public_id in founded.items()}
    moves = [
        {"old": absorbed, "new": ids[clusterer.find(absorbed)]}
        for absorbed, _ in clusterer.merges
        if absorbed > 0
    ]
    if moves:
        move = (
            update(_members)
            .where(_members.c.story_id == bindparam("old"))
            .values(story_id=bindparam("new"))
        )
        await session.execute(move, moves)
        absorbed_ids = [m["old"] for m in moves]
        for chunk in chunks(absorbed_ids):
            await session.execute(delete(Story).where(Story.id.in_(chunk)))
    return ids


def _founded(members: Sequence[Written]) -> dict[str, Any]:
    """The stored values of a story whose members are all known here."""
    return {
        **summarize([(m.article_id, m.importance, m.published_at, m.source_id) for m in members]),
        "sources": sources_json(
            (m.published_at, m.source_id, m.source_slug, m.source_name) for m in members
        ),
    }


async def _write_members(
    session: AsyncSession,
    by_id: dict[int, Item],
    memberships: Sequence[Membership],
    final: dict[int, int],
    public_ids: dict[int, str],
    names: Names,
) -> None:
    if not memberships:
        return
    now = utcnow()
    members = []
    for m in memberships:
        members.append(
            {
                "article_id": m.article_id,
                "story_id": final[m.article_id],
                "score": m.score,
                "explanation": explanation(m, names, public_ids),
                "joined_at": now,
            }
        )
    await insert_many(session, _members, members)
    signatures = [
        {
            "article_id": item.article_id,
            "published_at": item.published_at,
            "source_id": item.source_id,
            "terms": item.signature.stored_terms(),
            "entities": item.signature.stored_entities(),
        }
        for item in (by_id[m.article_id] for m in memberships)
    ]
    await insert_many(session, _signatures, signatures)
    keys = [
        {
            "entity_id": entity,
            "term": term,
            "published_at": item.published_at,
            "article_id": item.article_id,
        }
        for item in (by_id[m.article_id] for m in memberships)
        for entity, term in sorted(item.signature.blocks())
    ]
    if keys:
        await insert_many(session, _keys, keys)


def explanation(
    m: Membership, names: dict[int, tuple[str, str, str]], public_ids: dict[int, str]
) -> dict[str, Any]:
    """The contract's per-member explanation; shared entities strongest first."""
    shared = sorted(m.shared, key=lambda s: (-s[1], names.get(s[0], ("",))[0]))
    return {
        "shared_entities": [
            {
                "slug": names[e][0],
                "name": names[e][1],
                "type": names[e][2],
                "weight": round(w, 3),
            }
            for e, w in shared
            if e in names
        ],
        "text_similarity": round(m.text, 3),
        "hours_apart": round(m.hours_apart, 2),
        "evidence": m.evidence,
        "matched_article_id": None if m.matched is None else public_ids.get(m.matched),
    }
