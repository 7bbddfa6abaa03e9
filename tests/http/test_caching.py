"""Cache headers per route class: freshness from the class's setting, purge keys naming
what each answer shows, private answers for keyed requests (both databases)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.domain.purges import MAX_KEY_HEADER_BYTES
from api.http.caching import purge_key_headers
from api.settings import Settings
from tests.fixtures.writes import ENTITY, SOURCE, create, key_headers

pytestmark = pytest.mark.anyio
CLASSES = {
    "/v1/articles": "cache_feed",
    "/v1/sources/wire/articles": "cache_feed",
    "/v1/entities/acme/articles": "cache_feed",
    "/v1/feeds/rss": "cache_syndication",
    "/v1/feeds/atom": "cache_syndication",
    "/v1/feeds/json": "cache_syndication",
    "/v1/sources": "cache_catalog",
    "/v1/sources/wire": "cache_catalog",
    "/v1/categories": "cache_catalog",
    "/v1/entities/acme": "cache_catalog",
}
FEED_QUERY = "query Feed($first: Int) { articles(first: $first) { nodes { slug title } } }"


def keys_of(response: httpx.Response) -> list[str]:
    return response.headers["surrogate-key"].split()


@pytest.fixture
async def story(client: httpx.AsyncClient, writer: dict[str, str]) -> dict[str, Any]:
    created = await create(client, writer, category={"slug": "ai", "name": "AI", "icon": "🤖"})
    body: dict[str, Any] = created.json()
    return body


async def test_each_route_class_takes_its_freshness_setting(
    client: httpx.AsyncClient, settings: Settings, story: dict[str, Any]
) -> None:
    pages = {**CLASSES, f"/v1/articles/{story['id']}": "cache_article"}
    for path, setting in pages.items():
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)
        expected = "public, " + getattr(settings, setting)
        assert response.headers["cache-control"] == expected, path
        for directive in ("s-maxage=", "stale-while-revalidate=", "stale-if-error="):
            assert directive in expected, (setting, directive)
        assert response.headers["xkey"] == response.headers["surrogate-key"], path
        assert response.headers["cache-tag"] == ",".join(keys_of(response)), path


async def test_an_article_page_names_the_article_its_source_category_and_entities(
    client: httpx.AsyncClient, story: dict[str, Any]
) -> None:
    for key in (story["id"], story["slug"]):
        page = await client.get(f"/v1/articles/{key}")
        assert keys_of(page) == [
            f"article-{story['id']}",
            f"source-{SOURCE['slug']}",
            f"category-{story['category']['slug']}",
            f"entity-{ENTITY['slug']}",
        ]
        # A page of one article is not a list: a write elsewhere leaves it cached.
        assert "feed" not in keys_of(page)


async def test_lists_name_feed_then_their_scope_not_their_items(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    # Every change purges "feed", so a list's items need no keys of their own.
    await create(client, writer, url="https://news.example/1")
    await create(client, writer, url="https://news.example/2")
    assert keys_of(await client.get("/v1/articles")) == ["feed"]
    by_source = await client.get("/v1/sources/wire/articles", params={"fields": "title"})
    assert keys_of(by_source) == ["feed", "source-wire"]
    by_entity = await client.get("/v1/entities/acme/articles")
    assert keys_of(by_entity) == ["feed", "entity-acme"]
    assert keys_of(await client.get("/v1/sources/wire")) == ["source-wire"]
    # An entity's page counts its mentions: "feed" keeps the count current.
    assert keys_of(await client.get("/v1/entities/acme")) == ["feed", "entity-acme"]
    assert keys_of(await client.get("/v1/feeds/rss")) == ["feed"]


async def test_a_graphql_get_by_persisted_hash_is_public_and_keyed_on_feed(
    client: httpx.AsyncClient, settings: Settings, story: dict[str, Any]
) -> None:
    digest = hashlib.sha256(FEED_QUERY.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = await client.post("/graphql", json={"query": FEED_QUERY, "extensions": extensions})
    assert registered.status_code == 200
    got = await client.get(
        "/graphql",
        params={
            "extensions": orjson.dumps(extensions).decode(),
            "variables": orjson.dumps({"first": 5}).decode(),
        },
    )
    assert got.status_code == 200 and got.json() == registered.json()
    assert got.headers["cache-control"] == "public, " + settings.cache_graphql
    assert keys_of(got) == ["feed"]


async def test_answers_to_keyed_requests_are_private_and_name_no_keys(
    client: httpx.AsyncClient, app: Starlette, story: dict[str, Any]
) -> None:
    headers = await key_headers(app.state.db)
    for path in (*CLASSES, f"/v1/articles/{story['id']}"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "private, no-cache", path
        assert "surrogate-key" not in response.headers and "xkey" not in response.headers
    graphql = await client.get("/graphql", params={"query": FEED_QUERY}, headers=headers)
    assert graphql.headers["cache-control"] == "private, no-cache"
    assert "surrogate-key" not in graphql.headers


async def test_reads_asking_for_their_own_writes_are_private(
    client: httpx.AsyncClient, story: dict[str, Any]
) -> None:
    # The read-your-writes position (header or cookie): served for that client, never kept.
    path = f"/v1/articles/{story['id']}"
    for asking in ({"Broadsheet-Position": "1"}, {"Cookie": "broadsheet_position=1"}):
        response = await client.get(path, headers=asking)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-cache", asking
        assert "surrogate-key" not in response.headers and "xkey" not in response.headers
    assert (await client.get(path)).headers["cache-control"].startswith("public, ")


@pytest.fixture
async def tuned(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(
            update={
                "cache_feed": "max-age=5, s-maxage=600, stale-while-revalidate=10, "
                "stale-if-error=60",
                "require_key_for_reads": False,
            }
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def test_a_setting_tunes_its_class_only(tuned: httpx.AsyncClient, settings: Settings) -> None:
    feed = await tuned.get("/v1/articles")
    assert feed.headers["cache-control"] == (
        "public, max-age=5, s-maxage=600, stale-while-revalidate=10, stale-if-error=60"
    )
    sources = await tuned.get("/v1/sources")
    assert sources.headers["cache-control"] == "public, " + settings.cache_catalog


async def test_every_read_is_private_when_reads_need_a_key(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"require_key_for_reads": True}))
    async with app.router.lifespan_context(app):
        headers = await key_headers(app.state.db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get("/v1/articles", headers=headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"


def test_key_headers_stay_within_the_cap_and_keep_broad_keys() -> None:
    keys = ["feed", "source-wire", *(f"article-{n:036d}" for n in range(500))]
    headers = purge_key_headers(keys)
    for name in ("Surrogate-Key", "xkey", "Cache-Tag"):
        assert len(headers[name].encode()) <= MAX_KEY_HEADER_BYTES
    kept = headers["Surrogate-Key"].split()
    assert kept[:2] == ["feed", "source-wire"]
    assert 80 <= len(kept) < 500  # a whole number of keys, as many as fit
    assert all(key.startswith(("feed", "source-", "article-")) for key in kept)
    # Nothing malformed gets into a header (a key must need no quoting anywhere).
    assert purge_key_headers(["feed", "bad key", "Upper", "x;y", "feed"]) == {
        "Surrogate-Key": "feed",
        "xkey": "feed",
        "Cache-Tag": "feed",
    }
    assert purge_key_headers([]) == {}


def test_freshness_settings_refuse_what_is_not_a_freshness_directive() -> None:
    for bad in ("max-age=ten", "private", "s-maxage=60, no-store", ""):
        with pytest.raises(ValueError, match="with seconds"):
            Settings(cache_feed=bad)
    with pytest.raises(ValueError, match="not an http"):
        Settings(cache_purge_urls=["varnish:6081"])
