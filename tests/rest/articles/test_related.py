"""GET /v1/articles/{key}/related on the demo corpus: shape, filters, errors, statements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.fixtures.databases import StatementLog

pytestmark = pytest.mark.anyio


def _seeds(engine: Engine, count: int) -> list[tuple[str, str]]:
    """(public id, slug) of articles with the most mentions and at least one link."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.public_id, a.slug FROM articles a"
                " WHERE EXISTS (SELECT 1 FROM article_links l WHERE l.from_article_id = a.id)"
                " ORDER BY (SELECT count(*) FROM mentions m WHERE m.article_id = a.id) DESC, a.id"
                " LIMIT :count"
            ),
            {"count": count},
        )
        return [(str(public_id), str(slug)) for public_id, slug in rows]


async def _related(client: httpx.AsyncClient, key: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/articles/{key}/related", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_items_are_explained_ordered_and_unique(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    for public_id, slug in _seeds(sync_engine, 5):
        body = await _related(client, slug, limit=50)
        assert body["article_id"] == public_id
        items = body["items"]
        ids = [item["article"]["id"] for item in items]
        assert public_id not in ids and len(ids) == len(set(ids))
        kinds = [item["explanation"]["kind"] for item in items]
        assert "stored_link" in kinds and "shared_entities" in kinds
        assert kinds == sorted(kinds, key=lambda kind: kind != "stored_link")  # links first
        computed = [item for item in items if item["explanation"]["kind"] == "shared_entities"]
        for item in computed:
            shared = item["explanation"]["shared_entities"]
            assert shared and item["explanation"]["link_kind"] is None
            assert abs(sum(s["contribution"] for s in shared) - item["score"]) < 1e-9
        scores = [item["score"] for item in computed]
        assert scores == sorted(scores, reverse=True)
        assert await _related(client, public_id, limit=50) == body  # by id or slug, stable


async def test_limit_entity_type_and_published_after(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    (public_id, _slug), *_ = _seeds(sync_engine, 1)
    full = (await _related(client, public_id, limit=50))["items"]
    assert len(full) > 3
    assert (await _related(client, public_id, limit=3))["items"] == full[:3]

    people = (await _related(client, public_id, limit=50, entity_type="person"))["items"]
    for item in people:
        for shared in item["explanation"]["shared_entities"]:
            assert shared["type"] == "person"

    times = sorted(item["article"]["published_at"] for item in full)
    middle = times[len(times) // 2]
    later = (await _related(client, public_id, limit=50, published_after=middle))["items"]
    assert later and all(item["article"]["published_at"] >= middle for item in later)
    assert {i["article"]["id"] for i in full if i["article"]["published_at"] >= middle} <= {
        i["article"]["id"] for i in later
    }


async def test_statements_are_bounded_whatever_the_limit(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine, sql_log: StatementLog
) -> None:
    (public_id, _slug), *_ = _seeds(sync_engine, 1)
    for params in ({"limit": 1}, {"limit": 50}, {"limit": 50, "entity_type": "company"}):
        sql_log.clear()
        await _related(client, public_id, **params)
        # seed (with the key lookup), stored links, candidates, headlines
        assert sql_log.count <= 4, sql_log.statements


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "51"},
        {"limit": "ten"},
        {"entity_type": "planet"},
        {"published_after": "yesterday"},
        {"published_after": "0.5"},
        {"published_after": "2026-11-01T00:00:00"},  # no offset
        {"unknown": "1"},
    ],
)
async def test_bad_parameters_are_400_problems(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine, params: dict[str, str]
) -> None:
    (public_id, _slug), *_ = _seeds(sync_engine, 1)
    response = await client.get(f"/v1/articles/{public_id}/related", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalid_params"]] == list(params)


async def test_unknown_article_is_404(client: httpx.AsyncClient, corpus: int) -> None:
    response = await client.get("/v1/articles/no-such-story/related", params={"limit": 5})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
