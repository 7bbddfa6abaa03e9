"""Sources, categories and entities over REST."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import Engine, text

from tests.fixtures.databases import all_pages


async def test_sources_and_source_pages(client: httpx.AsyncClient, corpus: int) -> None:
    sources = (await client.get("/v1/sources")).json()["items"]
    assert len(sources) >= 10
    assert [s["name"] for s in sources] == sorted(s["name"] for s in sources)
    one = sources[0]
    assert (await client.get(f"/v1/sources/{one['slug']}")).json() == one
    articles = (await client.get(f"/v1/sources/{one['slug']}/articles")).json()["items"]
    assert all(a["source"]["slug"] == one["slug"] for a in articles)
    assert (await client.get("/v1/sources/no-such-source")).status_code == 404


async def test_categories_have_icons(client: httpx.AsyncClient, corpus: int) -> None:
    categories = (await client.get("/v1/categories")).json()["items"]
    assert len(categories) >= 5
    assert all(c["icon"] and c["slug"] and c["name"] for c in categories)


async def test_entities_filter_by_type_and_prefix_and_page(
    client: httpx.AsyncClient, corpus: int
) -> None:
    seen = await all_pages(client, "/v1/entities", type="company", limit=7)
    assert seen
    assert all(e["type"] == "company" for e in seen)
    assert len({e["slug"] for e in seen}) == len(seen)
    assert [e["name"] for e in seen] == sorted(e["name"] for e in seen)
    prefix = seen[0]["name"][:2]
    matches = (await client.get("/v1/entities", params={"q": prefix.lower(), "limit": 100})).json()
    assert matches["items"]
    assert all(e["name"].lower().startswith(prefix.lower()) for e in matches["items"])


async def test_entity_page_counts_mentions(client: httpx.AsyncClient, corpus: int) -> None:
    article = (await client.get("/v1/articles", params={"limit": 1})).json()["items"][0]
    slug = article["entities"][0]["slug"]
    entity = (await client.get(f"/v1/entities/{slug}")).json()
    assert entity["slug"] == slug
    assert entity["mention_count"] >= 1
    listed = (await client.get(f"/v1/entities/{slug}/articles", params={"limit": 100})).json()
    if listed["next_cursor"] is None:
        assert len(listed["items"]) == entity["mention_count"]
    assert (await client.get("/v1/entities/no-such-entity")).status_code == 404


async def test_entity_order_is_code_point_order_on_every_backend(
    client: httpx.AsyncClient, sync_engine: Engine
) -> None:
    names = ["sam altman", "SEC", "Sam Altman", "Zeta", "alpha", "Éclair", "Beta"]
    with sync_engine.begin() as connection:
        for n, name in enumerate(names):
            connection.execute(
                text(
                    "INSERT INTO entities (slug, name, type, aliases, created_at, updated_at,"
                    " version) VALUES (:slug, :name, 'topic', '[]', :now, :now, 1)"
                ),
                {"slug": f"e-{n}", "name": name, "now": dt.datetime.now(dt.UTC)},
            )
    listed = [e["name"] for e in await all_pages(client, "/v1/entities", limit=2)]
    assert listed == sorted(names)
