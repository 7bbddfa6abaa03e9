"""Stories beyond the feed: syndication feeds and the live stream collapsed by story, the
changes log's story ids, on both databases."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from api.db.database import Database
from api.domain.shared.filters import ArticleFilter
from api.domain.stream import ArticleEvent, article_events
from tests.fixtures.story_rows import Written, write_stories
from tests.fixtures.writes import create

pytestmark = pytest.mark.anyio
OTHER = {"slug": "other-desk", "name": "Other Desk", "homepage_url": "https://other.example"}


@pytest.fixture
async def told(
    client: httpx.AsyncClient, writer: dict[str, str], sync_engine: Engine
) -> tuple[list[str], list[Written]]:
    """Five articles: the first three one story (the second, most important, its headline),
    the fourth a story of one, the fifth unclustered."""
    ids = []
    for number, importance in enumerate((5, 9, 5, 6, 4)):
        extra: dict[str, Any] = {"source": OTHER} if number == 2 else {}
        response = await create(
            client,
            writer,
            url=f"https://news.example/{number}",
            title=f"Report number {number}",
            importance=importance,
            published_at=f"2026-05-0{number + 1}T10:00:00Z",
            **extra,
        )
        ids.append(response.json()["id"])
    return ids, write_stories(sync_engine, [ids[0:3], ids[3:4]])


async def test_syndication_feeds_collapse_by_story(
    client: httpx.AsyncClient, told: tuple[list[str], list[Written]]
) -> None:
    ids, stories = told
    full = (await client.get("/v1/feeds/json")).json()
    collapsed = (await client.get("/v1/feeds/json", params={"collapse": "story"})).json()
    assert len(full["items"]) == 5
    got = [item["id"].rsplit("/", 1)[-1] for item in collapsed["items"]]
    assert sorted(got) == sorted([stories[0].headline, ids[3], ids[4]])
    assert stories[0].headline == ids[1]
    for kind in ("rss", "atom"):
        response = await client.get(f"/v1/feeds/{kind}", params={"collapse": "story"})
        assert response.status_code == 200
        assert ids[0] not in response.text and ids[1] in response.text
    refused = await client.get("/v1/feeds/json", params={"collapse": "everything"})
    assert refused.status_code == 400
    # The collapsed feed page points at the collapsed syndication feeds.
    page = await client.get("/v1/articles", params={"collapse": "story"})
    assert "collapse=story" in page.headers["Link"]


async def test_changes_carry_the_story_id(
    client: httpx.AsyncClient, told: tuple[list[str], list[Written]]
) -> None:
    ids, stories = told
    items = (await client.get("/v1/changes", params={"limit": 1000})).json()["items"]
    by_article = {i["id"]: i["story_id"] for i in items if i["resource"] == "article"}
    assert by_article[ids[0]] == by_article[ids[2]] == stories[0].id
    assert by_article[ids[3]] == stories[1].id
    assert by_article[ids[4]] is None
    assert all(i["story_id"] is None for i in items if i["resource"] != "article")
    query = "{ changes(first: 1000) { items { id storyId } } }"
    body = (await client.post("/graphql", json={"query": query})).json()
    assert {i["id"]: i["storyId"] for i in body["data"]["changes"]["items"]} == {
        i["id"]: i["story_id"] for i in items
    }


async def _events(database: Database, *, collapse: bool) -> list[ArticleEvent]:
    found: list[ArticleEvent] = []
    stream = article_events(database, ArticleFilter(), 0, poll_seconds=0.01, collapse=collapse)
    async with contextlib.aclosing(stream):
        async for event in stream:
            if not isinstance(event, ArticleEvent):
                return found
            found.append(event)
    return found


async def test_the_stream_collapses_and_carries_stories(
    database: Database, told: tuple[list[str], list[Written]]
) -> None:
    ids, stories = told
    every = await _events(database, collapse=False)
    assert [e.article_id for e in every] == ids
    member = next(e for e in every if e.article_id == ids[2])
    assert member.article is not None and member.article.story is not None
    assert member.article.story["id"] == stories[0].id and member.article.story["size"] == 3
    collapsed = await _events(database, collapse=True)
    assert [e.article_id for e in collapsed] == [ids[1], ids[3], ids[4]]


async def test_the_sse_stream_accepts_collapse(
    client: httpx.AsyncClient, told: tuple[list[str], list[Written]]
) -> None:
    bad = await client.get("/v1/stream", params={"collapse": "nope"})
    assert bad.status_code == 400
    assert bad.json()["invalid_params"][0]["name"] == "collapse"
