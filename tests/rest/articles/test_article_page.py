"""GET /v1/articles/{key} and /related: one request holds the whole article page."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, text

from tests.fixtures.databases import StatementLog

# Everything the article page of a news aggregator shows (see the domain notes).
PAGE_FIELDS = {
    "category": "chip with icon",
    "sentiment": "chip",
    "importance": "x/10",
    "title": "headline",
    "source": "byline publisher",
    "author": "byline author",
    "image_url": "hero image",
    "image_credit": "hero credit",
    "summary": "AI summary",
    "analysis": "paragraphs",
    "key_takeaways": "ordered list",
    "entity_groups": "mentioned in, by type",
    "url": "read original",
    "related_links": "related articles",
}


async def _article_with_links(client: httpx.AsyncClient, engine: Engine) -> str:
    with engine.connect() as connection:
        public_id = connection.execute(
            text(
                "SELECT a.public_id FROM articles a"
                " JOIN article_links l ON l.from_article_id = a.id"
                " WHERE a.image_url IS NOT NULL AND a.category_id IS NOT NULL"
                " ORDER BY a.id LIMIT 1"
            )
        ).scalar_one()
    return str(public_id)


async def test_article_page_carries_every_section(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine, sql_log: StatementLog
) -> None:
    public_id = await _article_with_links(client, sync_engine)
    sql_log.clear()
    response = await client.get(f"/v1/articles/{public_id}")
    assert response.status_code == 200
    assert sql_log.count == 1  # the database writes the page: body, mentions and links
    page = response.json()
    for name in PAGE_FIELDS:
        assert page[name] not in (None, "", []), f"article page lacks {name}"
    assert page["category"]["icon"]
    assert 1 <= page["importance"] <= 10
    assert page["sentiment"] in {"bullish", "bearish", "neutral"}
    assert 3 <= len(page["analysis"]) <= 6
    assert 3 <= len(page["key_takeaways"]) <= 7
    grouped = [e["slug"] for group in page["entity_groups"] for e in group["entities"]]
    assert sorted(grouped) == sorted(e["slug"] for e in page["entities"])
    for group in page["entity_groups"]:
        assert all(e["type"] == group["type"] for e in group["entities"])
    link = page["related_links"][0]
    assert link["kind"]
    assert {"id", "slug", "title", "url", "published_at", "source"} <= set(link["article"])
    assert response.headers["last-modified"].endswith("GMT")


async def test_article_by_slug_equals_by_id(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    public_id = await _article_with_links(client, sync_engine)
    by_id = (await client.get(f"/v1/articles/{public_id}")).json()
    by_slug = (await client.get(f"/v1/articles/{by_id['slug']}")).json()
    assert by_id == by_slug


async def test_unknown_article_is_404_problem(client: httpx.AsyncClient, corpus: int) -> None:
    for path in ["/v1/articles/no-such-article", "/v1/articles/no-such-article/related"]:
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404


async def test_related_lists_stored_links_with_explanations(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    public_id = await _article_with_links(client, sync_engine)
    page = (await client.get(f"/v1/articles/{public_id}")).json()
    related = (await client.get(f"/v1/articles/{public_id}/related")).json()
    assert related["article_id"] == public_id
    # Stored links first, one item per target (ranking by shared entities follows them).
    links = {(link["article"]["id"], link["kind"], link["score"]) for link in page["related_links"]}
    stored = [item for item in related["items"] if item["explanation"]["kind"] == "stored_link"]
    assert related["items"][: len(stored)] == stored
    assert len(stored) == len({target for target, _kind, _score in links})
    for item in stored:
        assert (item["article"]["id"], item["explanation"]["link_kind"], item["score"]) in links
        assert item["explanation"]["shared_entities"] == []
    limited = (await client.get(f"/v1/articles/{public_id}/related", params={"limit": 1})).json()
    assert len(limited["items"]) == 1
