"""End to end through the clustering: articles written over REST become stories that the
read side serves as the clustering left them, in both doors, on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.domain.stories.corpus import ARTICLES, item
from tests.fixtures.databases import all_pages

pytestmark = pytest.mark.anyio


def _stored_stories(engine: Engine) -> dict[str, set[str]]:
    """Story public id -> its articles' URLs, as the clustering stored them."""
    stories: dict[str, set[str]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT s.public_id, a.url FROM story_members m JOIN stories s "
                "ON s.id = m.story_id JOIN articles a ON a.id = m.article_id"
            )
        )
        for story, url in rows:
            stories.setdefault(str(story), set()).add(str(url))
    return stories


async def test_written_articles_are_served_as_their_stories(
    client: httpx.AsyncClient, writer: dict[str, str], sync_engine: Engine
) -> None:
    batch = [item(i).model_dump(mode="json", exclude_unset=True) for i in range(len(ARTICLES))]
    response = await client.post("/v1/articles:batch", json={"items": batch}, headers=writer)
    assert response.status_code == 200, response.text
    stored = _stored_stories(sync_engine)
    assert sum(len(urls) for urls in stored.values()) == len(ARTICLES)  # all clustered
    told = {story: urls for story, urls in stored.items() if len(urls) > 1}
    assert told, "the corpus has events told by several outlets"

    # /v1/stories lists exactly the stories of several articles, each with its articles.
    listed = await all_pages(client, "/v1/stories", limit=3)
    assert {item["id"] for item in listed} == set(told)
    for summary in listed:
        detail = (await client.get(f"/v1/stories/{summary['id']}")).json()
        assert {a["article"]["url"] for a in detail["articles"]} == told[summary["id"]]
        assert detail["size"] == summary["size"] == len(told[summary["id"]])
        assert summary["source_count"] == len(summary["sources"])
        for member in detail["articles"]:
            explanation = member["explanation"]
            assert explanation["evidence"] in ("founder", "similarity", "editor_link")
            assert 0 <= member["score"] <= 1

    # Article documents carry their story; the collapsed feed lists each story once.
    feed = await all_pages(client, "/v1/articles", limit=50)
    for article in feed:
        story: dict[str, Any] | None = article["story"]
        owner = next(s for s, urls in stored.items() if article["url"] in urls)
        if owner in told:
            assert story is not None
            assert story["id"] == owner and story["size"] == len(told[owner])
        else:
            assert story is None  # a story of one
    collapsed = await all_pages(client, "/v1/articles", limit=4, collapse="story")
    owners = [next(s for s, urls in stored.items() if a["url"] in urls) for a in collapsed]
    assert sorted(owners) == sorted(stored)  # every story exactly once


async def test_a_renamed_source_is_renamed_in_every_story_that_shows_it(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    """Feed items, article pages and story pages show the name a source has now."""
    batch = [item(i).model_dump(mode="json", exclude_unset=True) for i in (0, 1, 2)]
    response = await client.post("/v1/articles:batch", json={"items": batch}, headers=writer)
    assert response.status_code == 200, response.text
    etag = (await client.get("/v1/sources/ledger")).headers["etag"]
    renamed = await client.patch(
        "/v1/sources/ledger", json={"name": "The Ledger"}, headers=writer | {"If-Match": etag}
    )
    assert renamed.status_code == 200, renamed.text
    expected = [
        {"slug": "harbour-times", "name": "Harbour Times"},
        {"slug": "ledger", "name": "The Ledger"},
        {"slug": "market-post", "name": "Market Post"},
    ]
    feed = await all_pages(client, "/v1/articles", fields="story")
    assert [a["story"]["sources"] for a in feed] == [expected] * 3
    page = (await client.get(f"/v1/articles/{feed[0]['id']}")).json()
    assert page["story"]["sources"] == expected
    story = (await client.get(f"/v1/stories/{page['story']['id']}")).json()
    assert [{"slug": s["slug"], "name": s["name"]} for s in story["sources"]] == expected
