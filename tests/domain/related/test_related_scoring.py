"""Related articles by shared entities, on hand-built corpora, on both databases."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from api.db.database import Database, create_loop_read_engine
from api.db.health import database_status
from api.domain.related.service import HALF_LIFE_DAYS, related_articles
from api.domain.shared.records import RelatedRecord
from api.errors import InvalidInput
from api.models import EntityType
from api.settings import Settings
from tests.fixtures.related_corpus import BASE, expected_idf, ingest, pk_of, story

pytestmark = pytest.mark.anyio


async def related(database: Database, name: str, **options: object) -> list[RelatedRecord]:
    pk = await pk_of(database, name)
    async with database.session() as session:
        return await related_articles(session, pk, **options)  # type: ignore[arg-type]


def slugs(items: list[RelatedRecord]) -> list[str]:
    return [item.article.title.removeprefix("Story ") for item in items]


async def test_rare_shared_entity_outranks_a_common_one(database: Database) -> None:
    fillers = [story(f"filler{i}", {"common": 0.5}, hours=-200 - i) for i in range(12)]
    await ingest(
        database,
        *fillers,
        story("seed", {"rare": 0.5, "common": 0.5}),
        # Same salience, same distance in time: only rarity tells them apart.
        story("viarare", {"rare": 0.5}, hours=5),
        story("viacommon", {"common": 0.5}, hours=-5),
    )
    items = await related(database, "seed", limit=3)
    assert slugs(items)[:2] == ["viarare", "viacommon"]
    rare, common = items[0], items[1]
    assert [s.slug for s in rare.shared_entities or []] == ["rare"]
    assert rare.score is not None and common.score is not None
    assert rare.score > 2 * common.score
    assert await expected_idf(database, "rare") > await expected_idf(database, "common")


async def test_contributions_follow_the_formula_and_add_up(database: Database) -> None:
    await ingest(
        database,
        story("seed", {"rare": 0.9, "common": 0.4, "ceo": 0.7}),
        story("a", {"rare": 0.6, "common": 0.8}, hours=36),
        story("b", {"common": 0.3, "ceo": 0.2}, hours=-300),
        story("c", {"ceo": 1.0}, hours=2),
    )
    items = await related(database, "seed", limit=10)
    assert sorted(slugs(items)) == ["a", "b", "c"]
    seed_salience = {"rare": 0.9, "common": 0.4, "ceo": 0.7}
    theirs = {
        "a": {"rare": 0.6, "common": 0.8},
        "b": {"common": 0.3, "ceo": 0.2},
        "c": {"ceo": 1.0},
    }
    hours = {"a": 36, "b": -300, "c": 2}
    for item in items:
        name = item.article.title.removeprefix("Story ")
        explained = item.shared_entities or []
        assert item.link_kind is None
        assert item.score is not None
        assert abs(sum(s.contribution for s in explained) - item.score) < 1e-9
        assert {s.slug for s in explained} == set(theirs[name])
        decay = 0.5 ** (abs(hours[name]) / 24 / HALF_LIFE_DAYS)
        for shared in explained:
            idf = await expected_idf(database, shared.slug)
            want = idf * seed_salience[shared.slug] * theirs[name][shared.slug] * decay
            assert math.isclose(shared.contribution, want, rel_tol=1e-6), (name, shared)
        contributions = [s.contribution for s in explained]
        assert contributions == sorted(contributions, reverse=True)
    scores = [item.score for item in items if item.score is not None]
    assert scores == sorted(scores, reverse=True)


async def test_stored_links_come_first_once_each(database: Database) -> None:
    await ingest(
        database,
        story("x", {"acme": 0.9}, hours=1),
        story("y", {}, hours=-400),
        story("z", {}, hours=3),
        story("w", {"acme": 0.9}, hours=1.5),
        story(
            "seed",
            {"acme": 0.9},
            links=[("z", "background", None), ("x", "follow_up", 0.4), ("y", "same_story", 0.4)],
        ),
    )
    items = await related(database, "seed", limit=10)
    # Score first, then kind priority (same_story before follow_up), unscored last; x also
    # shares acme but is listed once, as its link.
    assert slugs(items) == ["y", "x", "z", "w"]
    assert [(i.link_kind, i.score) for i in items[:3]] == [
        ("same_story", 0.4),
        ("follow_up", 0.4),
        ("background", None),
    ]
    assert items[3].link_kind is None and items[3].shared_entities
    assert slugs(await related(database, "seed", limit=2)) == ["y", "x"]


async def test_entity_type_and_published_after_filter(database: Database) -> None:
    await ingest(
        database,
        story("old", {"ceo": 0.8, "acme": 0.8}, hours=-100, links=[]),
        story("viaperson", {"ceo": 0.8}, hours=10),
        story("viacompany", {"acme": 0.8}, hours=20),
        story("linkedold", {}, hours=-50),
        story("seed", {"ceo": 0.5, "acme": 0.5}, links=[("linkedold", "analysis", 0.9)]),
    )
    people = await related(database, "seed", entity_type=EntityType.PERSON)
    assert slugs(people) == ["linkedold", "viaperson", "old"]
    assert all(s.type == "person" for i in people[1:] for s in i.shared_entities or [])
    recent = await related(database, "seed", published_after=BASE + dt.timedelta(hours=5))
    assert slugs(recent) == ["viaperson", "viacompany"]
    both = await related(
        database,
        "seed",
        entity_type=EntityType.COMPANY,
        published_after=BASE + dt.timedelta(hours=5),
    )
    assert slugs(both) == ["viacompany"]


async def test_order_is_deterministic_and_the_seed_excluded(database: Database) -> None:
    # Equal scores (same salience, same distance): newer first, then the higher id.
    await ingest(
        database,
        story("before", {"acme": 0.5}, hours=-24),
        story("after", {"acme": 0.5}, hours=24),
        story("seed", {"acme": 0.5}),
        story("twin", {"acme": 0.5}, hours=24),
    )
    first = await related(database, "seed", limit=5)
    assert slugs(first) == ["twin", "after", "before"]
    assert first[0].score == first[1].score == first[2].score
    assert slugs(await related(database, "seed", limit=5)) == slugs(first)
    assert slugs(await related(database, "seed", limit=1)) == ["twin"]


async def test_an_article_without_mentions_or_links_has_none(database: Database) -> None:
    await ingest(database, story("alone", {}), story("other", {"acme": 0.5}))
    assert await related(database, "alone") == []


@pytest.mark.parametrize("limit", [0, 51])
async def test_limit_out_of_range_is_invalid_input(database: Database, limit: int) -> None:
    await ingest(database, story("seed", {"acme": 0.5}))
    with pytest.raises(InvalidInput):
        await related(database, "seed", limit=limit)


async def test_published_after_finds_candidates_beyond_many_older_ones(
    database: Database,
) -> None:
    # More older articles share the entity than are taken per side of the seed: the
    # qualifying ones must still be found, past them.
    older = [story(f"old{i}", {"acme": 0.5}, hours=i + 1) for i in range(40)]
    recent = [story(f"new{i}", {"acme": 0.5}, hours=100 + i) for i in range(3)]
    await ingest(database, story("seed", {"acme": 0.5}), *older, *recent)
    found = await related(database, "seed", published_after=BASE + dt.timedelta(hours=99))
    assert slugs(found) == ["new0", "new1", "new2"]  # nearest in time first


async def test_related_and_readiness_run_on_every_kind_of_read_session(
    database: Database, settings: Settings
) -> None:
    """Routing keeps ranking off SQLite's loop sessions for latency only: run on one, related
    and the readiness check still answer (they read through the session's own connection)."""
    await ingest(database, story("seed", {"acme": 0.9}), story("other", {"acme": 0.5}, hours=2))
    pk = await pk_of(database, "seed")
    both = Database(database.engine, loop_reads=create_loop_read_engine(settings))
    try:
        for offload in (False, True):
            async with both.session(offload=offload) as session:
                items = await related_articles(session, pk)
                status = await database_status(session)
            assert slugs(items) == ["other"], offload
            assert status.reachable and status.at_head
    finally:
        if both.loop_reads is not None:
            both.loop_reads.dispose()
