"""Time budgets: a request past its deadline, a statement past its timeout -> 503 in time."""

from __future__ import annotations

import time

import pytest

from tests.edge.conftest import EdgeClient
from tests.fixtures.server_process import assert_retryable_503

pytestmark = pytest.mark.anyio


async def test_a_request_past_its_deadline_is_a_503(edge_client: EdgeClient) -> None:
    async with edge_client(request_timeout_seconds=0.5) as (_app, client):
        started = time.monotonic()
        response = await client.get("/_test/slow", params={"seconds": 10})
        elapsed = time.monotonic() - started
        assert_retryable_503(response)
        assert "0.5 s budget" in response.json()["detail"]
        assert elapsed < 3
        # Requests within the budget are untouched.
        assert (await client.get("/_test/slow", params={"seconds": 0.05})).status_code == 200


async def test_a_started_response_is_never_cut(edge_client: EdgeClient) -> None:
    async with edge_client(request_timeout_seconds=0.3) as (_app, client):
        # Starts at once, then takes about 1 s in all: well past the 0.3 s deadline.
        response = await client.get("/_test/stream", params={"seconds": 1})
        assert response.status_code == 200
        assert len(response.content) == 5 * 1024


async def test_a_statement_past_its_timeout_is_a_503(edge_client: EdgeClient) -> None:
    async with edge_client(statement_timeout_ms=300, request_timeout_seconds=20) as (_, client):
        started = time.monotonic()
        response = await client.get("/_test/slow-query", params={"seconds": 10})
        elapsed = time.monotonic() - started
        assert_retryable_503(response)
        assert "time budget" in response.json()["detail"]
        assert elapsed < 4
        # The connection it used is fine for the next request.
        assert (await client.get("/v1/articles")).status_code == 200


async def test_graphql_statement_past_its_timeout_is_a_typed_503(
    edge_client: EdgeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncSession

    from api.edge import fault_injection
    from api.graphql.catalog import queries as query

    async def heavy_sources(session: AsyncSession) -> list[object]:
        backend = session.get_bind().dialect.name
        if backend == "postgresql":
            await session.execute(text("SELECT pg_sleep(10)"))
        else:
            await session.execute(text(fault_injection._SQLITE_HEAVY), {"n": 200_000_000})
        return []

    monkeypatch.setattr(query, "list_sources", heavy_sources)
    async with edge_client(statement_timeout_ms=300, request_timeout_seconds=20) as (_, client):
        started = time.monotonic()
        response = await client.post("/graphql", json={"query": "{ sources { slug } }"})
        assert time.monotonic() - started < 4
        assert response.status_code == 503, response.text
        assert int(response.headers["retry-after"]) >= 1
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
        assert "time budget" in error["message"]


async def test_a_request_cancelled_at_its_deadline_leaves_the_pool_usable(
    edge_client: EdgeClient,
) -> None:
    # No statement timeout: only the request deadline stops the query.
    async with edge_client(statement_timeout_ms=0, request_timeout_seconds=0.5) as (_, client):
        started = time.monotonic()
        response = await client.get("/_test/slow-query", params={"seconds": 2})
        assert_retryable_503(response)
        assert time.monotonic() - started < 2.5
        for _ in range(3):
            assert (await client.get("/v1/articles")).status_code == 200
