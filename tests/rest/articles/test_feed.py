"""GET /v1/articles: filters, orderings, keyset paging, sparse fieldsets, statement counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.fixtures.databases import THROUGH_POOLER, StatementLog, all_pages

# Also through PgBouncer in transaction mode (tests/fixtures/pgbouncer.py).
pytestmark = THROUGH_POOLER


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


async def test_default_page_is_newest_first_with_relations(
    client: httpx.AsyncClient, corpus: int
) -> None:
    response = await client.get("/v1/articles")
    assert response.status_code == 200
    page = response.json()
    assert len(page["items"]) == 20 and page["next_cursor"]
    keys = [(_ts(a["published_at"]), a["id"]) for a in page["items"]]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    first = page["items"][0]
    assert first["source"]["slug"] and first["source"]["name"]
    assert 2 <= len(first["entities"]) <= 8
    assert "analysis" not in first and "key_takeaways" not in first


async def test_paging_returns_every_article_once_in_order(
    client: httpx.AsyncClient, corpus: int
) -> None:
    items = await all_pages(client, "/v1/articles", limit=9)
    ids = [a["id"] for a in items]
    assert len(ids) == corpus == len(set(ids))
    times = [_ts(a["published_at"]) for a in items]
    assert times == sorted(times, reverse=True)


async def test_importance_order_pages_exactly_once(client: httpx.AsyncClient, corpus: int) -> None:
    items = await all_pages(client, "/v1/articles", limit=13, order="importance")
    assert len({a["id"] for a in items}) == corpus == len(items)
    keys = [(a["importance"], _ts(a["published_at"])) for a in items]
    assert keys == sorted(keys, reverse=True)


async def test_inserts_between_pages_neither_duplicate_nor_skip(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    first = (await client.get("/v1/articles", params={"limit": 10})).json()
    with sync_engine.begin() as connection:
        source_id = connection.execute(text("SELECT min(id) FROM sources")).scalar()
        for n, published in enumerate(["2099-01-01T00:00:00+00:00", "1990-01-01T00:00:00+00:00"]):
            connection.execute(
                text(
                    "INSERT INTO articles (public_id, slug, title, url, source_id, published_at,"
                    " sentiment, importance, summary, analysis, key_takeaways, language,"
                    " created_at, updated_at, version) VALUES (:pid, :slug, 'Late', :url, :src,"
                    " :pub, 'neutral', 5, 's', '[]', '[]', 'en', :pub, :pub, 1)"
                ),
                {
                    "pid": f"00000000-0000-7000-8000-00000000000{n}",
                    "slug": f"late-{n}",
                    "url": f"https://example.com/late-{n}",
                    "src": source_id,
                    "pub": dt.datetime.fromisoformat(published),
                },
            )
    rest = await all_pages(client, "/v1/articles", limit=10, cursor=first["next_cursor"])
    ids = [a["id"] for a in first["items"] + rest]
    assert len(ids) == len(set(ids))
    # Every article that existed when paging began is seen; the backdated one sorts last.
    assert len(ids) == corpus + 1
    assert ids[-1] == "00000000-0000-7000-8000-000000000001"


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"sentiment": "bearish"}, lambda a: a["sentiment"] == "bearish"),
        ({"importance_min": 7}, lambda a: a["importance"] >= 7),
        ({"importance_max": 3}, lambda a: a["importance"] <= 3),
        ({"importance_min": 4, "importance_max": 6}, lambda a: 4 <= a["importance"] <= 6),
        ({"language": "en"}, lambda a: a["language"] == "en"),
    ],
)
async def test_scalar_filters(
    client: httpx.AsyncClient,
    corpus: int,
    sync_engine: Engine,
    params: dict[str, Any],
    check: Any,
) -> None:
    items = await all_pages(client, "/v1/articles", limit=100, **params)
    assert items and all(check(a) for a in items)
    total = await all_pages(client, "/v1/articles", limit=100)
    assert len(items) == sum(1 for a in total if check(a))


async def test_category_and_source_filters(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    everything = await all_pages(client, "/v1/articles", limit=100)
    category = next(a["category"]["slug"] for a in everything if a["category"])
    source = everything[0]["source"]["slug"]
    by_category = await all_pages(client, "/v1/articles", category=category, limit=50)
    expected = [a["id"] for a in everything if a["category"] and a["category"]["slug"] == category]
    assert [a["id"] for a in by_category] == expected
    by_source = await all_pages(client, "/v1/articles", source=source, limit=50)
    assert [a["id"] for a in by_source] == [
        a["id"] for a in everything if a["source"]["slug"] == source
    ]
    unknown = await client.get("/v1/articles", params={"category": "no-such-category"})
    assert unknown.status_code == 200 and unknown.json()["items"] == []


async def test_time_window(client: httpx.AsyncClient, corpus: int) -> None:
    everything = await all_pages(client, "/v1/articles", limit=100)
    times = sorted(_ts(a["published_at"]) for a in everything)
    lower, upper = times[len(times) // 4], times[3 * len(times) // 4]
    window = await all_pages(
        client,
        "/v1/articles",
        limit=100,
        published_after=lower.isoformat(),
        published_before=upper.isoformat(),
    )
    assert window and all(lower <= _ts(a["published_at"]) < upper for a in window)
    assert len(window) == sum(1 for t in times if lower <= t < upper)


async def test_entity_filters(client: httpx.AsyncClient, corpus: int) -> None:
    everything = await all_pages(client, "/v1/articles", limit=100)
    mentioned = [{e["slug"] for e in a["entities"]} for a in everything]
    counts: dict[str, int] = {}
    for slugs in mentioned:
        for slug in slugs:
            counts[slug] = counts.get(slug, 0) + 1
    a, b = sorted(counts, key=lambda s: (-counts[s], s))[:2]

    def ids(pred: Any) -> list[str]:
        return [art["id"] for art, slugs in zip(everything, mentioned, strict=True) if pred(slugs)]

    all_mode = await all_pages(client, "/v1/articles", entity=[a, b], limit=100)
    assert [x["id"] for x in all_mode] == ids(lambda s: a in s and b in s)
    any_mode = await all_pages(client, "/v1/articles", entity=[a, b], entity_mode="any", limit=100)
    assert [x["id"] for x in any_mode] == ids(lambda s: a in s or b in s)
    excluded = await all_pages(client, "/v1/articles", exclude_entity=a, limit=100)
    assert [x["id"] for x in excluded] == ids(lambda s: a not in s)
    combined = await all_pages(client, "/v1/articles", entity=a, exclude_entity=b, limit=100)
    assert [x["id"] for x in combined] == ids(lambda s: a in s and b not in s)


async def test_sparse_fieldsets(client: httpx.AsyncClient, corpus: int) -> None:
    response = await client.get("/v1/articles", params={"fields": "title,summary,source"})
    item = response.json()["items"][0]
    assert set(item) == {"id", "title", "summary", "source"}
    body = await client.get("/v1/articles", params={"fields": "analysis,key_takeaways"})
    item = body.json()["items"][0]
    assert set(item) == {"id", "analysis", "key_takeaways"}
    assert 3 <= len(item["analysis"]) <= 6
    bad = await client.get("/v1/articles", params={"fields": "title,password"})
    assert bad.status_code == 400
    assert bad.json()["invalid_params"][0]["name"] == "fields"


@pytest.mark.parametrize("limit", [20, 100])
async def test_feed_statement_count_is_constant(
    client: httpx.AsyncClient, corpus: int, sql_log: StatementLog, limit: int, database_url: str
) -> None:
    sql_log.clear()
    response = await client.get(
        "/v1/articles", params={"limit": limit, "fields": "title,source,category,entities"}
    )
    assert len(response.json()["items"]) == limit
    # Whatever the page size: the articles joined to source and category, with their
    # mentions as an array per article on PostgreSQL, or in one more statement on SQLite,
    # where it costs no round trip (api.domain.feed.assembled).
    assert sql_log.count == (2 if database_url.startswith("sqlite") else 1)


async def test_entity_articles_route(client: httpx.AsyncClient, corpus: int) -> None:
    first = (await client.get("/v1/articles", params={"limit": 1})).json()["items"][0]
    slug = first["entities"][0]["slug"]
    via_route = await all_pages(client, f"/v1/entities/{slug}/articles", limit=25)
    via_filter = await all_pages(client, "/v1/articles", entity=slug, limit=25)
    assert [a["id"] for a in via_route] == [a["id"] for a in via_filter]
    assert first["id"] in {a["id"] for a in via_route}
    missing = await client.get("/v1/entities/no-such-entity/articles")
    assert missing.status_code == 404
