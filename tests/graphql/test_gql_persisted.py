"""Persisted queries (Apollo's protocol), GET caching, and the trusted-documents mode."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from api.settings import Settings
from tests.fixtures.graphql_corpus import Corpus
from tests.fixtures.serving import serving
from tests.fixtures.writes import key_headers

FEED = "query Feed($first: Int) { articles(first: $first) { nodes { slug title } } }"
# Not covered by the SQL plans: answered by standard execution, cached alike.
SOURCES = "{ sources { slug name } }"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def by_hash(query: str, **variables: Any) -> dict[str, str]:
    params = {
        "extensions": orjson.dumps(
            {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}
        ).decode()
    }
    if variables:
        params["variables"] = orjson.dumps(variables).decode()
    return params


def registration(query: str, **variables: Any) -> dict[str, Any]:
    return {
        "query": query,
        "variables": variables or None,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}},
    }


@pytest.mark.parametrize("query", [FEED, SOURCES])
async def test_register_by_post_then_get_by_hash_with_etag_and_cache_control(
    client: httpx.AsyncClient, corpus: Corpus, query: str
) -> None:
    unknown = await client.get("/graphql", params=by_hash(query, first=3))
    assert unknown.status_code == 200
    (error,) = unknown.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.headers["cache-control"] == "no-store"

    registered = await client.post("/graphql", json=registration(query, first=3))
    assert registered.status_code == 200
    assert "errors" not in registered.json()

    got = await client.get("/graphql", params=by_hash(query, first=3))
    assert got.status_code == 200
    assert got.json() == registered.json()
    assert got.headers["etag"].startswith('"')
    assert got.headers["cache-control"].startswith("public, max-age=")
    again = await client.get(
        "/graphql", params=by_hash(query, first=3), headers={"If-None-Match": got.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_a_hash_that_does_not_match_its_query_is_refused(
    client: httpx.AsyncClient, corpus: Corpus
) -> None:
    body = registration(FEED)
    body["extensions"]["persistedQuery"]["sha256Hash"] = sha(SOURCES)
    response = await client.post("/graphql", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    for persisted in ({"version": 2, "sha256Hash": sha(FEED)}, {"version": 1, "sha256Hash": "x"}):
        bad = await client.post("/graphql", json={"extensions": {"persistedQuery": persisted}})
        assert bad.status_code == 400


async def test_answers_with_errors_or_keys_are_not_cached_publicly(
    client: httpx.AsyncClient, corpus: Corpus, app: Starlette
) -> None:
    failing = await client.get(
        "/graphql", params={"query": "{ articles(first: 0) { nodes { slug } } }"}
    )
    assert failing.json()["errors"]
    assert failing.headers["cache-control"] == "no-store"
    headers = await key_headers(app.state.db)
    keyed = await client.get("/graphql", params={"query": SOURCES}, headers=headers)
    assert keyed.status_code == 200
    assert keyed.headers["cache-control"] == "private, no-cache"


async def test_mutations_over_get_stay_refused_even_by_hash(
    client: httpx.AsyncClient, corpus: Corpus
) -> None:
    mutation = 'mutation { deleteArticle(id: "x") { __typename } }'
    registered = await client.post("/graphql", json=registration(mutation))
    assert registered.status_code == 200  # refused inside: no key
    response = await client.get("/graphql", params=by_hash(mutation))
    assert response.status_code == 405


async def test_trusted_documents_mode_runs_only_the_manifest(
    settings: Settings, corpus: Corpus, tmp_path: Path
) -> None:
    manifest = tmp_path / "documents.json"
    manifest.write_bytes(orjson.dumps({sha(FEED): FEED}))
    trusted = settings.model_copy(update={"graphql_trusted_documents": manifest})
    async with serving(trusted) as client:
        known = await client.get("/graphql", params=by_hash(FEED, first=2))
        assert known.status_code == 200
        assert len(known.json()["data"]["articles"]["nodes"]) == 2
        full = await client.post("/graphql", json={"query": FEED, "variables": {"first": 1}})
        assert "errors" not in full.json()
        for refused in (
            await client.post("/graphql", json={"query": SOURCES}),
            await client.post("/graphql", json=registration(SOURCES)),
        ):
            assert refused.status_code == 400
            assert (
                refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
            )
