"""The hand-written corpus as the pure clustering engine sees it, and story reads for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import func, select

from api.db.database import Database
from api.domain.articles.upsert import upsert_articles
from api.domain.stories.clustering import Clusterer, Item
from api.domain.stories.clustering_features import Signature
from api.models import Article, Source
from api.models.story import Story, StoryMember
from tests.domain.stories.corpus import ARTICLES, BASE, KINDS, item, url

ENTITY_IDS = {slug: n for n, slug in enumerate(KINDS, start=1)}


def pure_items(order: list[int] | None = None) -> list[Item]:
    chosen = range(len(ARTICLES)) if order is None else order
    return [
        Item(
            index,
            url(index),
            BASE + dt.timedelta(hours=ARTICLES[index][2]),
            ARTICLES[index][1],
            Signature.build(
                ARTICLES[index][3],
                ARTICLES[index][4],
                [(ENTITY_IDS[e], s) for e, s in ARTICLES[index][5].items()],
                [e.upper() for e in ARTICLES[index][5]],
            ),
        )
        for index in chosen
    ]


def pure_partition(order: list[int] | None = None) -> set[frozenset[str]]:
    clusterer = Clusterer()
    memberships = clusterer.assign_all(pure_items(order))
    found: dict[int, set[str]] = {}
    for m in memberships:
        found.setdefault(clusterer.find(m.story), set()).add(url(m.article_id))
    return {frozenset(v) for v in found.values()}


async def write(database: Database, *indexes: int, **overrides: object) -> None:
    """Corpus articles ``indexes`` through the ingest, in one transaction."""
    async with database.session(write=True) as session:
        await upsert_articles(session, [item(i, **overrides) for i in indexes])


async def stories_by_url(database: Database) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(
            select(Article.url, StoryMember.story_id).join(
                StoryMember, StoryMember.article_id == Article.id
            )
        )
        return {u: story for u, story in rows}


async def member_of(database: Database, article_url: str) -> tuple[Story, StoryMember]:
    async with database.session() as session:
        row = (
            await session.execute(
                select(Story, StoryMember)
                .join(StoryMember, StoryMember.story_id == Story.id)
                .join(Article, Article.id == StoryMember.article_id)
                .where(Article.url == article_url)
            )
        ).one()
        return row[0], row[1]


async def all_stories(database: Database) -> list[dict[str, Any]]:
    async with database.session() as session:
        stories = (await session.scalars(select(Story).order_by(Story.id))).all()
        return [
            {c: getattr(s, c) for c in ("id", "public_id", "size", "source_count",
                                        "headline_article_id", "first_published_at",
                                        "last_published_at")}
            for s in stories
        ]  # fmt: skip


Sources = dict[int, list[dict[str, str]]]  # story id -> [{"slug", "name"}]


async def computed_sources(database: Database) -> Sources:
    """Each story's sources as feed items grouped them from the members before they were
    stored: by first coverage, then slug, in the database's order."""
    stmt = (
        select(StoryMember.story_id, Source.slug, Source.name)
        .join(Article, Article.id == StoryMember.article_id)
        .join(Source, Source.id == Article.source_id)
        .group_by(StoryMember.story_id, Source.id, Source.slug, Source.name)
        .order_by(StoryMember.story_id, func.min(Article.published_at), Source.slug)
    )
    found: Sources = {}
    async with database.session() as session:
        for story_id, slug, name in await session.execute(stmt):
            found.setdefault(story_id, []).append({"slug": slug, "name": name})
    return found


async def stored_sources(database: Database) -> Sources:
    """``stories.sources`` of every story, parsed."""
    async with database.session() as session:
        rows = await session.execute(select(Story.id, Story.sources))
        return {story_id: orjson.loads(sources) for story_id, sources in rows}
