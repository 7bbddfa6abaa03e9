"""GraphQL over HTTP: methods, media types, status codes, the session, error masking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import QueuePool
from starlette.applications import Starlette

from api.app import create_app
from api.db.database import Database
from api.settings import Settings
from tests.fixtures.graphql_corpus import Corpus

pytestmark = pytest.mark.anyio

GRAPHQL_RESPONSE = "application/graphql-response+json"
QUERY = "{ categories { slug } }"


async def test_get_runs_queries(client: httpx.AsyncClient, corpus: Corpus) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query($n: Int) { articles(first: $n) { totalCount } }",
            "variables": '{"n": 2}',
        },
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"articles": {"totalCount": len(corpus.articles)}}}


async def test_mutation_over_get_is_405(client: httpx.AsyncClient, corpus: Corpus) -> None:
    response = await client.get("/graphql", params={"query": "mutation { anything }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_other_methods_and_bad_bodies(client: httpx.AsyncClient, corpus: Corpus) -> None:
    put = await client.put("/graphql", json={"query": QUERY})
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, POST"
    bad_json = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    no_query = await client.post("/graphql", json={})
    assert no_query.status_code == 400
    batch = await client.post("/graphql", json=[{"query": QUERY}])
    assert batch.status_code == 400
    too_big = await client.post("/graphql", json={"query": QUERY, "x": "y" * 300_000})
    assert too_big.status_code == 413


async def test_exact_path_answers_without_redirect(
    client: httpx.AsyncClient, corpus: Corpus
) -> None:
    response = await client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200
    assert not response.history


async def test_graphiql_for_browsers(client: httpx.AsyncClient, corpus: Corpus) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


@pytest.mark.parametrize(
    ("body", "status", "has_data"),
    [
        ({"query": QUERY}, 200, True),
        ({"query": "{ categories { "}, 400, False),  # parse error
        ({"query": "{ nope }"}, 400, False),  # validation error
        (
            {
                "query": "query($n: Int) { articles(first: $n) { totalCount } }",
                "variables": {"n": "x"},
            },
            400,
            False,
        ),  # variables that do not coerce
        ({"query": "{ articles(first: 0) { totalCount } }"}, 200, True),  # field error
    ],
)
async def test_graphql_response_json_status_codes(
    client: httpx.AsyncClient, corpus: Corpus, body: dict[str, Any], status: int, has_data: bool
) -> None:
    response = await client.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == status
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert ("data" in response.json()) is has_data
    # The legacy media type answers 200 for the same request.
    legacy = await client.post("/graphql", json=body, headers={"accept": "application/json"})
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
        ("text/plain", "application/json"),
    ],
)
async def test_accept_negotiation(
    client: httpx.AsyncClient, corpus: Corpus, accept: str | None, media_type: str
) -> None:
    headers = {} if accept is None else {"accept": accept}
    request = client.build_request("POST", "/graphql", json={"query": QUERY}, headers=headers)
    if accept is None:
        del request.headers["accept"]
    response = await client.send(request)
    assert response.headers["content-type"] == media_type


async def test_one_session_per_request_and_it_is_closed(
    app: Starlette, client: httpx.AsyncClient, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    database: Database = app.state.db
    opened: list[AsyncSession] = []
    original = database.session

    @asynccontextmanager
    async def counting(
        *, write: bool = False, offload: bool = False, primary: bool = False
    ) -> AsyncIterator[AsyncSession]:
        async with original(write=write, offload=offload, primary=primary) as session:
            opened.append(session)
            yield session

    monkeypatch.setattr(database, "session", counting)
    # Many root fields at once: strawberry resolves them concurrently on the one session.
    query = """{ articles(first: 5) { totalCount nodes { mentions { entity { slug } } } }
        sources { slug } categories { slug } entity(slug: "sec") { mentionCount }
        entities { nodes { slug } } source(slug: "beta-wire") { articles { totalCount } } }"""
    response = await client.post("/graphql", json={"query": query})
    assert "errors" not in response.json()
    assert len(opened) == 1
    for engine in database.sync_engines:  # SQLite's loop readers have a pool of their own
        assert isinstance(engine.pool, QueuePool)
        assert engine.pool.checkedout() == 0


async def test_unexpected_errors_are_masked_unless_debug(
    settings: Settings, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret connection string")

    monkeypatch.setattr("api.graphql.catalog.queries.list_categories", broken)
    for debug in (False, True):
        payload = await _post(settings.model_copy(update={"debug": debug}), QUERY)
        (error,) = payload["errors"]
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert error["path"] == ["categories"]
        assert ("secret" in error["message"]) is debug


async def _post(settings: Settings, query: str) -> dict[str, Any]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200
    payload: dict[str, Any] = response.json()
    return payload
