"""Stories through the write paths: merges, edits, deletes, editor links, exact aggregates."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, func, select

from api.db.database import Database
from api.domain.articles.inputs import ArticleCreate
from api.domain.articles.upsert import upsert_articles
from api.domain.articles.writes import delete_article
from api.domain.stories.aggregates import summarize
from api.models import Article
from api.models.story import Story, StoryEntityKey, StoryMember, StorySignature
from tests.domain.stories.corpus import ARTICLES, item, url
from tests.domain.stories.helpers import (
    all_stories,
    computed_sources,
    member_of,
    stored_sources,
    stories_by_url,
    write,
)

pytestmark = pytest.mark.anyio

RICE, RBI, BITCOIN, MSFT = (0, 1, 2), (3, 4), 22, 23


async def assert_aggregates_exact(database: Database) -> None:
    """Every article in exactly one story; every story's aggregates and sources equal its
    members'."""
    async with database.session() as session:
        articles = (await session.execute(select(func.count()).select_from(Article))).scalar()
        rows = (
            await session.execute(
                select(
                    StoryMember.story_id,
                    Article.id,
                    Article.importance,
                    Article.published_at,
                    Article.source_id,
                ).join(Article, Article.id == StoryMember.article_id)
            )
        ).all()
        stories = {s.id: s for s in (await session.scalars(select(Story))).all()}
        for model in (StorySignature,):
            count = (await session.execute(select(func.count()).select_from(model))).scalar()
            assert count == articles
    assert len(rows) == articles
    members: dict[int, list[tuple[int, int, Any, int]]] = {}
    for story_id, article_id, importance, published_at, source_id in rows:
        members.setdefault(story_id, []).append((article_id, importance, published_at, source_id))
    assert set(members) == set(stories)
    for story_id, story in stories.items():
        expected = summarize(members[story_id])
        assert {k: getattr(story, k) for k in expected} == expected
    assert await stored_sources(database) == await computed_sources(database)


async def test_a_bridging_article_merges_two_stories_into_the_older(database: Database) -> None:
    await write(database, 15)
    await write(database, 16)  # the same event, but no title word in common: a second story
    first, _ = await member_of(database, url(15))
    second, _ = await member_of(database, url(16))
    assert first.id != second.id
    bridge = "Nvidia revenue soars to record $13.5 billion, beating forecasts on AI chip demand"
    await write(database, 17, title=bridge)  # close to both: one story, the older id survives
    merged = {(await member_of(database, url(i)))[0].public_id for i in (15, 16, 17)}
    assert merged == {first.public_id}
    story, member = await member_of(database, url(17))
    assert story.size == 3 and story.source_count == 3
    assert member.explanation["evidence"] == "similarity"
    assert 0 < member.score <= 1
    assert second.id not in {s["id"] for s in await all_stories(database)}
    await assert_aggregates_exact(database)


async def test_explanations_name_the_shared_entities_and_the_match(database: Database) -> None:
    await write(database, *RICE)
    async with database.session() as session:
        founder_pid = (
            await session.execute(select(Article.public_id).where(Article.url == url(0)))
        ).scalar_one()
    _, founder = await member_of(database, url(0))
    assert founder.score == 1.0
    assert founder.explanation == {
        "shared_entities": [],
        "text_similarity": 0.0,
        "hours_apart": 0.0,
        "evidence": "founder",
        "matched_article_id": None,
    }
    _, joined = await member_of(database, url(1))
    why = joined.explanation
    assert why["evidence"] == "similarity" and why["matched_article_id"] == founder_pid
    # weight: the smaller of the two saliences; strongest first
    assert [e["slug"] for e in why["shared_entities"]] == ["india", "rice"]
    assert why["shared_entities"][1] == {
        "slug": "rice",
        "name": "RICE",
        "type": "topic",
        "weight": 0.8,
    }
    assert why["hours_apart"] == 3.5 and 0 < why["text_similarity"] < 1


async def test_an_edit_moves_the_article_and_the_old_story_shrinks(database: Database) -> None:
    await write(database, *RICE, *RBI)
    rice, _ = await member_of(database, url(1))
    rbi, _ = await member_of(database, url(3))
    assert (rice.size, rbi.size) == (3, 2)
    # Article 1 is rewritten to tell the RBI decision.
    _, _, _, title, summary, mentions = ARTICLES[4]
    moved = item(1).model_dump(mode="json") | {
        "title": title + " (updated)",
        "summary": summary,
        "mentions": [
            {"entity": {"slug": s, "name": s.upper(), "type": "organization"}, "salience": v}
            for s, v in mentions.items()
        ],
    }
    async with database.session(write=True) as session:
        (outcome,) = await upsert_articles(session, [ArticleCreate.model_validate(moved)])
    assert outcome.status == "updated"
    story, member = await member_of(database, url(1))
    assert story.id == rbi.id and story.size == 3
    assert member.explanation["evidence"] == "similarity"
    old, _ = await member_of(database, url(0))
    assert old.id == rice.id and old.size == 2
    await assert_aggregates_exact(database)


async def test_an_edit_outside_the_compared_fields_keeps_the_story(database: Database) -> None:
    await write(database, *RICE)
    before, member = await member_of(database, url(2))
    await write(database, 2, importance=10, image_url="https://img.example/rice.jpg")
    after, again = await member_of(database, url(2))
    assert after.id == before.id and again.joined_at == member.joined_at
    async with database.session() as session:
        headline = (
            await session.execute(select(Article.id).where(Article.url == url(2)))
        ).scalar_one()
    assert after.headline_article_id == headline  # importance 10 makes it the headline
    await assert_aggregates_exact(database)


async def test_deletes_shrink_stories_and_remove_empty_ones(database: Database) -> None:
    await write(database, *RICE, BITCOIN)
    rice, _ = await member_of(database, url(0))
    lone, _ = await member_of(database, url(BITCOIN))
    async with database.session(write=True) as session:
        ids = dict((await session.execute(select(Article.url, Article.public_id))).all())
    for index in (0, BITCOIN):
        async with database.session(write=True) as session:
            await delete_article(session, ids[url(index)], expected_version=None)
    remaining = {s["id"]: s for s in await all_stories(database)}
    assert lone.id not in remaining
    assert remaining[rice.id]["size"] == 2
    async with database.session() as session:
        keyed = await session.scalars(select(StoryEntityKey.article_id).distinct())
        assert len(keyed.all()) == 2  # the deleted articles' candidate keys went with them
    await assert_aggregates_exact(database)


async def test_editor_links_put_unlike_articles_in_one_story(database: Database) -> None:
    await write(database, BITCOIN)
    await write(database, MSFT, links=[{"url": url(BITCOIN), "kind": "same_story"}])
    a, _ = await member_of(database, url(BITCOIN))
    b, member = await member_of(database, url(MSFT))
    assert a.id == b.id and a.size == 2
    assert member.explanation["evidence"] == "editor_link" and member.score == 1.0


async def test_an_editor_link_added_later_merges_the_stories(database: Database) -> None:
    await write(database, BITCOIN, MSFT)
    assert len(await all_stories(database)) == 2
    await write(database, MSFT, links=[{"url": url(BITCOIN), "kind": "same_story"}])
    (story,) = await all_stories(database)
    assert story["size"] == 2
    await assert_aggregates_exact(database)


async def test_unchanged_articles_without_a_story_get_one(database: Database) -> None:
    await write(database, *RICE)
    async with database.session(write=True) as session:
        for model in (StoryMember, StorySignature, StoryEntityKey, Story):
            await session.execute(delete(model))
    await write(database, *RICE)  # a re-ingest of the same file: nothing else changes
    assert len(set((await stories_by_url(database)).values())) == 1
    await assert_aggregates_exact(database)
