"""The hand-written corpus as the pure clustering engine sees it, and story reads for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from api.db.database import Database
from api.domain.stories.clustering import Clusterer, Item
from api.domain.stories.clustering_features import Signature
from api.models import Article
from api.models.story import Story, StoryMember
from tests.domain.stories.corpus import ARTICLES, BASE, KINDS, url

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
