"""Webhook events carry the article's story id, as the write that enqueued them left it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.db.database import Database
from api.domain.articles import writes as article_writes
from api.models import Article, Story, StoryMember
from tests.domain.stories.corpus import item
from tests.domain.webhooks.test_webhook_delivery import outbox, subscribe

pytestmark = pytest.mark.anyio


async def _stories(database: Database) -> dict[str, str]:
    """Article public id -> its story's public id."""
    async with database.session() as session:
        rows = await session.execute(
            select(Article.public_id, Story.public_id)
            .join(StoryMember, StoryMember.article_id == Article.id)
            .join(Story, Story.id == StoryMember.story_id)
        )
        return {article: story for article, story in rows}


async def test_events_carry_the_story_id(database: Database) -> None:
    await subscribe(database, "http://127.0.0.1:9/in")  # never delivered here
    for index in (0, 1):  # two outlets telling one event: the second joins the first's story
        async with database.session(write=True) as session:
            await article_writes.create_article(session, item(index))
    stories = await _stories(database)
    rows = await outbox(database)
    assert len(rows) == 2
    for row in rows:
        data = row.payload["data"]
        assert data["story_id"] == stories[data["id"]]
    assert len(set(stories.values())) == 1
