"""REST stories on known groups: /v1/stories, /v1/stories/{id}, the article's ``story``
and the feed collapsed by story, on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.fixtures.databases import StatementLog
from tests.fixtures.story_rows import Written, corpus_articles, write_stories

pytestmark = pytest.mark.anyio


@pytest.fixture
def groups(corpus: int, sync_engine: Engine) -> list[Written]:
    """Stories of 4, 3 and 2 articles, 30 stories of one; the other articles unclustered."""
    ids = corpus_articles(sync_engine)
    groups = [ids[0:4], ids[10:13], ids[20:22], *([i] for i in ids[40:70])]
    return write_stories(sync_engine, groups)


async def _get(client: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _whole_feed(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        body = await _get(client, "/v1/articles", **params)
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        params["cursor"] = body["next_cursor"]


async def test_stories_newest_updated_first_without_singles(
    client: httpx.AsyncClient, groups: list[Written]
) -> None:
    body = await _get(client, "/v1/stories")
    assert [item["id"] for item in body["items"]] == [g.id for g in groups[:3]]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert first["size"] == 4
    assert first["headline"]["id"] == groups[0].headline
    assert 1 <= first["source_count"] == len(first["sources"])
    assert first["first_published_at"] <= first["last_published_at"]
    weights = [e["weight"] for e in first["top_entities"]]
    assert weights == sorted(weights, reverse=True) and len(weights) <= 5


async def test_stories_paging_lists_each_once(
    client: httpx.AsyncClient, groups: list[Written], sql_log: StatementLog
) -> None:
    seen: list[str] = []
    cursor = None
    counts = []
    while True:
        params: dict[str, Any] = {"limit": 4, "min_size": 1}
        if cursor:
            params["cursor"] = cursor
        sql_log.statements.clear()
        body = await _get(client, "/v1/stories", **params)
        counts.append(len(sql_log.statements))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [g.id for g in groups]
    assert len(set(counts[:-1])) == 1  # full pages cost the same statements
    sql_log.statements.clear()
    await _get(client, "/v1/stories", limit=100, min_size=1)
    assert len(sql_log.statements) == counts[0]  # whatever the page size


async def test_stories_filters(client: httpx.AsyncClient, groups: list[Written]) -> None:
    story = await _get(client, f"/v1/stories/{groups[1].id}")
    source = story["articles"][0]["article"]["source"]["slug"]
    body = await _get(client, "/v1/stories", source=source)
    assert groups[1].id in [item["id"] for item in body["items"]]
    for item in body["items"]:
        detail = await _get(client, f"/v1/stories/{item['id']}")
        assert source in {a["article"]["source"]["slug"] for a in detail["articles"]}
    empty = await _get(client, "/v1/stories", published_before="1990-01-01T00:00:00Z")
    assert empty["items"] == []


async def test_story_page_explains_its_articles(
    client: httpx.AsyncClient, groups: list[Written]
) -> None:
    story = await _get(client, f"/v1/stories/{groups[0].id}")
    assert story["id"] == groups[0].id and story["size"] == 4
    ids = [a["article"]["id"] for a in story["articles"]]
    assert sorted(ids) == sorted(groups[0].articles)
    times = [a["article"]["published_at"] for a in story["articles"]]
    assert times == sorted(times)
    by_id = {a["article"]["id"]: a for a in story["articles"]}
    founder = by_id[groups[0].headline]
    assert founder["explanation"]["evidence"] == "founder" and founder["score"] == 1.0
    other = by_id[groups[0].articles[1]]
    assert other["explanation"]["matched_article_id"] == groups[0].headline
    assert other["explanation"]["shared_entities"][0]["slug"] == "acme"


@pytest.mark.parametrize(
    "story_id",
    ["0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d", "not-a-story", "x" * 40],
)
async def test_unknown_story_is_a_problem(
    client: httpx.AsyncClient, groups: list[Written], story_id: str
) -> None:
    response = await client.get(f"/v1/stories/{story_id}")
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("application/problem+json")
    if story_id.startswith("0196"):
        assert response.status_code == 404


@pytest.mark.parametrize("cursor", ["bm9wZQ", "WyJuZXdlc3QiLDEsMV0", "!!"])
async def test_bad_cursor_is_a_problem(
    client: httpx.AsyncClient, groups: list[Written], cursor: str
) -> None:
    response = await client.get("/v1/stories", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["invalid_params"][0]["name"] == "cursor"


async def test_article_documents_carry_their_story(
    client: httpx.AsyncClient, groups: list[Written], sync_engine: Engine
) -> None:
    member = groups[1].articles[1]
    article = await _get(client, f"/v1/articles/{member}")
    story = article["story"]
    assert story["id"] == groups[1].id and story["size"] == 3
    detail = await _get(client, f"/v1/stories/{groups[1].id}")
    assert story["sources"] == detail["sources"]
    assert story["first_published_at"] == detail["first_published_at"]
    single = await _get(client, f"/v1/articles/{groups[5].articles[0]}")
    assert single["story"] is None  # a story of one
    unclustered = corpus_articles(sync_engine)[-1]
    assert (await _get(client, f"/v1/articles/{unclustered}"))["story"] is None
    # Feed items carry the same object, by default and when asked for.
    for params in ({"limit": 100}, {"limit": 100, "fields": "story"}):
        by_id = {item["id"]: item for item in await _whole_feed(client, **params)}
        assert by_id[member]["story"] == story
        assert by_id[unclustered]["story"] is None


async def test_collapsed_feed_lists_every_story_once(
    client: httpx.AsyncClient, groups: list[Written], sync_engine: Engine
) -> None:
    everything = corpus_articles(sync_engine)
    for order in ("newest", "importance"):
        items = await _whole_feed(client, collapse="story", limit=7, order=order)
        seen = [item["id"] for item in items]
        sizes = {item["id"]: (item["story"] or {}).get("size", 1) for item in items}
        assert [sizes[g.headline] for g in groups[:3]] == [4, 3, 2]
        hidden = {a for g in groups for a in g.articles if a != g.headline}
        assert len(seen) == len(set(seen))
        assert set(seen) == set(everything) - hidden
        assert {g.headline for g in groups} <= set(seen)


async def test_collapse_is_validated(client: httpx.AsyncClient, groups: list[Written]) -> None:
    response = await client.get("/v1/articles", params={"collapse": "source"})
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "collapse"
