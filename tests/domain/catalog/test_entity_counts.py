"""entities.article_count (migration 0002's triggers) equals the real count after every write."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from api.db.database import Database
from api.domain.search.index import catch_up
from api.models import Article, Entity, Mention
from tests.fixtures.related_corpus import ingest, story, url

pytestmark = pytest.mark.anyio


async def counts(database: Database) -> tuple[dict[str, int], dict[str, int]]:
    """(stored article_count, mentions counted now) per entity slug."""
    async with database.session() as session:
        stored = dict((await session.execute(select(Entity.slug, Entity.article_count))).all())
        real_rows = await session.execute(
            select(Entity.slug, func.count(Mention.article_id))
            .outerjoin(Mention, Mention.entity_id == Entity.id)
            .group_by(Entity.slug)
        )
        return stored, {slug: int(n) for slug, n in real_rows}


async def test_counts_follow_ingest_update_and_delete(database: Database) -> None:
    await ingest(
        database,
        story("a", {"acme": 0.9, "ceo": 0.5}),
        story("b", {"acme": 0.4, "rare": 0.2}),
        story("c", {"acme": 0.7}),
    )
    stored, real = await counts(database)
    assert stored == real == {"acme": 3, "ceo": 1, "rare": 1}

    # Mentions replaced as a set: one entity dropped, one added, one kept.
    await ingest(database, story("b", {"ceo": 0.3, "acme": 0.4, "common": 0.1}))
    stored, real = await counts(database)
    assert stored == real == {"acme": 3, "ceo": 2, "rare": 0, "common": 1}

    async with database.session(write=True) as session:
        await session.execute(delete(Article).where(Article.url.in_([url("a"), url("c")])))
        await catch_up(session)
    stored, real = await counts(database)
    assert stored == real == {"acme": 1, "ceo": 1, "rare": 0, "common": 1}


async def test_counts_survive_a_batch_touching_one_entity_many_times(database: Database) -> None:
    await ingest(database, *(story(f"s{i}", {"acme": 0.5, f"e{i % 3}": 0.2}) for i in range(30)))
    await ingest(database, *(story(f"s{i}", {"acme": 0.5}) for i in range(0, 30, 2)))
    stored, real = await counts(database)
    assert stored == real
    assert stored["acme"] == 30 and sum(stored[f"e{i}"] for i in range(3)) == 15
