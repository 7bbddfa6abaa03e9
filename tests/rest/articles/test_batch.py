"""POST /v1/articles:batch: per-item results, atomic mode, and the size bound."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
import pytest
from starlette.applications import Starlette

from tests.fixtures.databases import THROUGH_POOLER
from tests.fixtures.writes import payload

# Also through PgBouncer in transaction mode (tests/fixtures/pgbouncer.py).
pytestmark = [pytest.mark.anyio, THROUGH_POOLER]
BATCH = "/v1/articles:batch"


async def count(client: httpx.AsyncClient) -> int:
    """Article entries in the changes log."""
    changes = (await client.get("/v1/changes", params={"limit": 1000})).json()
    return sum(change["resource"] == "article" for change in changes["items"])


async def test_a_batch_reports_each_item(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    first = await client.post(
        BATCH,
        json={"items": [payload(url=f"https://n.example/{i}") for i in range(3)]},
        headers=writer,
    )
    assert first.status_code == 200, first.text
    assert [item["status"] for item in first.json()["items"]] == ["created"] * 3
    items = [
        payload(url="https://n.example/0"),  # unchanged
        payload(url="https://n.example/1", title="Changed"),  # updated
        payload(url="https://n.example/9", source="no-such-source"),  # unknown reference
        {"url": "not a url"},  # invalid shape
        payload(url="https://n.example/10"),  # created
    ]
    second = await client.post(BATCH, json={"items": items}, headers=writer)
    assert second.status_code == 200
    body = second.json()
    assert [item["status"] for item in body["items"]] == [
        "unchanged",
        "updated",
        "error",
        "error",
        "created",
    ]
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (1, 1, 1, 2)
    assert body["items"][1]["version"] == 2
    assert body["items"][2]["invalid_params"][0]["name"] == "source"
    assert {p["name"] for p in body["items"][3]["invalid_params"]} >= {"url", "title"}
    assert await count(client) == 5


async def test_an_atomic_batch_with_one_bad_item_writes_nothing(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    for bad in (payload(url="https://n.example/x", source="nope"), {"title": 3}):
        items = [payload(url=f"https://n.example/{i}") for i in range(5)] + [bad]
        response = await client.post(BATCH, json={"items": items, "atomic": True}, headers=writer)
        assert response.status_code == 422
        assert response.json()["invalid_params"][0]["name"].startswith("items[5]")
    assert (await client.get("/v1/articles")).json()["items"] == []
    assert await count(client) == 0


async def test_more_than_a_thousand_items_write_nothing(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    items = [payload(url=f"https://n.example/{i}") for i in range(1001)]
    response = await client.post(BATCH, json={"items": items}, headers=writer)
    assert response.status_code in (413, 422)
    assert await count(client) == 0
    empty = await client.post(BATCH, json={"items": []}, headers=writer)
    assert empty.status_code == 422


async def test_duplicate_urls_in_one_batch_are_item_errors(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    items = [payload(), payload(title="Same URL again")]
    body = (await client.post(BATCH, json={"items": items}, headers=writer)).json()
    assert [item["status"] for item in body["items"]] == ["created", "error"]


async def test_a_big_batch_is_validated_like_a_small_one(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    # 20 items: validated on a worker thread (THREADED_VALIDATION), reported per item alike.
    items = [payload(url=f"https://big.example/{i}") for i in range(18)]
    items[4] = {"url": "not a url"}
    items += [payload(url="https://big.example/x", source="nope"), {"title": 3}]
    response = await client.post(BATCH, json={"items": items}, headers=writer)
    assert response.status_code == 200, response.text
    statuses = [item["status"] for item in response.json()["items"]]
    assert statuses == ["created"] * 4 + ["error"] + ["created"] * 13 + ["error", "error"]
    assert {p["name"] for p in response.json()["items"][4]["invalid_params"]} >= {"url", "title"}


async def test_a_full_write_queue_answers_503_and_writes_nothing(
    app: Starlette,
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    lane = app.state.db.write_lane
    before = await count(client)
    lane.queue_limit = 0
    try:
        async with AsyncExitStack() as held:
            for _ in range(lane.concurrency):  # every slot taken by writers in progress
                await held.enter_async_context(lane.slot())
            refused = await client.post(BATCH, json={"items": [payload()]}, headers=writer)
    finally:
        lane.queue_limit = 64
    assert refused.status_code == 503
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) >= 1
    assert await count(client) == before
    again = await client.post(BATCH, json={"items": [payload()]}, headers=writer)
    assert again.status_code == 200, again.text
