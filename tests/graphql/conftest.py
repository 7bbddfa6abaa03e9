"""GraphQL test helpers: the seeded corpus and a client that posts queries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.fixtures.graphql_corpus import Corpus, build_corpus, seed
from tests.fixtures.graphql_errors import Gql, Json


@pytest.fixture
def corpus(sync_engine: Engine) -> Corpus:
    data = build_corpus()
    seed(sync_engine, data)
    return data


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Gql:
    """POST a query; return the JSON body (status must be 200, application/json)."""

    async def run(query: str, variables: Json | None = None, **extra: Any) -> Json:
        body: Json = {"query": query}
        if variables is not None:
            body["variables"] = variables
        body.update(extra)
        response = await client.post("/graphql", json=body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        payload: Json = response.json()
        for error in payload.get("errors", []):
            assert "code" in error.get("extensions", {}), error
        return payload

    return run
