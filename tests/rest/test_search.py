"""GET /v1/search: syntax, problems for bad input, filters, paging, statement counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.db.database import Database
from tests.fixtures.databases import StatementLog, all_pages
from tests.fixtures.search_corpus import HARBOR_MATCHES, NASTY_QUERIES, ingest, item, seed


@pytest.fixture
async def seeded(app: Any) -> None:
    database: Database = app.state.db
    await seed(database)


async def hits(client: httpx.AsyncClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def slugs(client: httpx.AsyncClient, q: str, **params: Any) -> list[str]:
    return [hit["article"]["slug"] for hit in await hits(client, q, **params)]


async def test_hits_carry_article_score_and_snippet(
    client: httpx.AsyncClient, seeded: None
) -> None:
    response = await client.get("/v1/search", params={"q": '"export ban"'})
    assert response.status_code == 200
    page = response.json()
    assert [h["article"]["slug"] for h in page["items"]] == ["title-phrase", "analysis-phrase"]
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert first["score"] > page["items"][1]["score"] > 0
    # The match is in the second one's analysis (PostgreSQL's headline leaves titles out).
    assert "<mark>export ban</mark>" in page["items"][1]["snippet"]
    assert first["article"]["source"]["slug"] == "wire" and "entities" in first["article"]


async def test_quotes_or_and_exclusions(client: httpx.AsyncClient, seeded: None) -> None:
    assert set(await slugs(client, "giraffe OR okapi")) == {"giraffe", "okapi", "poacher"}
    assert await slugs(client, "giraffe -poacher") == ["giraffe"]
    assert "analysis-phrase" in await slugs(client, "ban export")
    assert await slugs(client, '"ban export"') == []


async def test_no_match_is_an_empty_200(client: httpx.AsyncClient, seeded: None) -> None:
    response = await client.get("/v1/search", params={"q": "xylophone"})
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_filters_combine(client: httpx.AsyncClient, seeded: None) -> None:
    both = "giraffe OR okapi"
    assert await slugs(client, both, category="markets") == ["okapi"]
    assert await slugs(client, both, entity="acme") == ["giraffe"]
    assert set(await slugs(client, both, importance_min=6)) == {"giraffe", "poacher"}
    assert await slugs(client, both, entity=["acme", "globex"], entity_mode="any") != []


async def test_sparse_fields_apply_to_the_article(client: httpx.AsyncClient, seeded: None) -> None:
    [hit] = await hits(client, "zebra", fields="title,analysis")
    assert set(hit["article"]) == {"id", "title", "analysis"}
    assert hit["article"]["analysis"] == ["Nothing else of note happened."]


async def test_order_is_not_a_search_parameter(client: httpx.AsyncClient, seeded: None) -> None:
    response = await client.get("/v1/search", params={"q": "harbor", "order": "newest"})
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "order"


async def test_paging_returns_every_hit_exactly_once(
    client: httpx.AsyncClient, seeded: None
) -> None:
    items = await all_pages(client, "/v1/search", q="harbor", limit=4)
    ids = [h["article"]["id"] for h in items]
    assert len(ids) == HARBOR_MATCHES == len(set(ids))
    scores = [h["score"] for h in items]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("q", NASTY_QUERIES)
async def test_nasty_queries_are_400_or_200_never_500(
    client: httpx.AsyncClient, seeded: None, q: str
) -> None:
    response = await client.get("/v1/search", params={"q": q})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["invalid_params"][0]["name"] == "q"
    else:
        assert isinstance(response.json()["items"], list)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({}, "q"),
        ({"q": "harbor", "cursor": "WyJuZXdlc3QiLDE3OTMzOTY4MjEwMDAwMDAsMjk5XQ"}, "cursor"),
        ({"q": "harbor", "limit": "0"}, "limit"),
        ({"q": "harbor", "category": "Not A Slug"}, "category"),
    ],
)
async def test_bad_parameters_are_named(
    client: httpx.AsyncClient, seeded: None, params: dict[str, str], name: str
) -> None:
    response = await client.get("/v1/search", params=params)
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalid_params"]] == [name]


async def test_search_follows_updates(client: httpx.AsyncClient, app: Any, seeded: None) -> None:
    await ingest(app.state.db, [item("okapi", "Pelican calf born")])
    assert await slugs(client, "pelican") == ["okapi"]
    assert await slugs(client, "okapi") == []


async def test_statements_per_page_do_not_grow_with_the_limit(
    client: httpx.AsyncClient, seeded: None, sql_log: StatementLog, database_url: str
) -> None:
    counts = []
    for limit in (1, 25):
        sql_log.clear()
        assert len(await hits(client, "harbor", limit=limit)) == limit
        counts.append(sql_log.count)
    # SQLite: the page (which bounds its block), the mentions, the stories. PostgreSQL:
    # the sample, the block's ids, the page, the mentions, the stories.
    expected = 3 if database_url.startswith("sqlite") else 5
    assert counts == [expected, expected]
