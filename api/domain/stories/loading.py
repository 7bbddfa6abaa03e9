"""The articles as the story clustering sees them: what a write created is handed over by
the caller, the rest (edited, unchanged) is read back in one statement per 500 articles."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_rows
from api.domain.stories.aggregates import chunks
from api.domain.stories.clustering import Item
from api.domain.stories.clustering_features import Signature
from api.models import Article, Entity, Mention, Source

Names = dict[int, tuple[str, str, str]]  # entity id -> slug, name, type


@dataclass(frozen=True, slots=True)
class Written:
    """An article as its write stored it, so that clustering need not read it back."""

    article_id: int
    public_id: str
    url: str
    published_at: dt.datetime
    source_id: int
    title: str
    summary: str
    importance: int
    # entity id, salience, slug, name, type: as many as the article mentions
    mentions: tuple[tuple[int, float, str, str, str], ...]
    source_slug: str  # with the name: for the sources of a story founded by the write
    source_name: str


def utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


async def load_items(
    session: AsyncSession, ids: Sequence[int], entities: Names, given: Mapping[int, Written]
) -> tuple[dict[int, Item], dict[int, str], dict[int, Written]]:
    """Items, public ids and the articles as written, by article id; fills ``entities`` with
    what the articles mention (a shared entity is one of the new article's own, so
    explanations need no other read). ``given`` articles are taken as they are; the others
    are read."""
    rows: dict[int, Written] = {i: given[i] for i in ids if i in given}
    missing = [i for i in ids if i not in given]
    for chunk in chunks(missing):
        rows |= await _read(session, chunk)
    items: dict[int, Item] = {}
    for r in rows.values():
        for entity_id, _salience, slug, name, type_ in r.mentions:
            entities[entity_id] = (slug, name, type_)
        items[r.article_id] = Item(
            r.article_id,
            r.url,
            r.published_at,
            r.source_id,
            Signature.build(
                r.title,
                r.summary,
                ((m[0], m[1]) for m in r.mentions),
                (m[3] for m in r.mentions),
            ),
        )
    public_ids = {r.article_id: r.public_id for r in rows.values()}
    return items, public_ids, rows


async def _read(session: AsyncSession, ids: Iterable[int]) -> dict[int, Written]:
    """Each article with its mentions, in one statement."""
    stmt = (
        select(
            Article.id,
            Article.public_id,
            Article.url,
            Article.published_at,
            Article.source_id,
            Article.title,
            Article.summary,
            Article.importance,
            Mention.entity_id,
            Mention.salience,
            Entity.slug,
            Entity.name,
            Entity.type,
            Source.slug.label("source_slug"),
            Source.name.label("source_name"),
        )
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Mention, Mention.article_id == Article.id)
        .outerjoin(Entity, Entity.id == Mention.entity_id)
        .where(Article.id.in_(list(ids)))
    )
    heads: dict[int, Any] = {}
    mentions: dict[int, list[tuple[int, float, str, str, str]]] = defaultdict(list)
    for row in await fetch_rows(session, stmt):
        heads.setdefault(row.id, row)
        if row.entity_id is not None:
            mentions[row.id].append(
                (row.entity_id, row.salience, row.slug, row.name, str(row.type))
            )
    return {
        i: Written(
            i,
            r.public_id,
            r.url,
            r.published_at,
            r.source_id,
            r.title,
            r.summary,
            r.importance,
            tuple(mentions.get(i, ())),
            r.source_slug,
            r.source_name,
        )
        for i, r in heads.items()
    }
