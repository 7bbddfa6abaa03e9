"""Idempotency-Key: retries replay the first response; the key binds one request."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from api.db.database import Database
from api.domain.shared import idempotency
from api.models import Article, IdempotentRequest
from api.rest.core.idempotency import request_hash
from api.settings import Settings
from tests.fixtures.serving import serving
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio


async def articles(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Article)) or 0)


async def test_a_retry_replays_the_first_response(
    client: httpx.AsyncClient,
    database: Database,
    writer: dict[str, str],
) -> None:
    headers = writer | {"Idempotency-Key": "order-42"}
    first = await client.post("/v1/articles", json=payload(), headers=headers)
    retry = await client.post("/v1/articles", json=payload(), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["etag"] == first.headers["etag"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await articles(database) == 1


async def test_the_same_key_with_another_body_is_422(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    headers = writer | {"Idempotency-Key": "k1"}
    assert (await client.post("/v1/articles", json=payload(), headers=headers)).status_code == 201
    other = await client.post("/v1/articles", json=payload(title="Other"), headers=headers)
    assert other.status_code == 422
    assert other.json()["invalid_params"][0]["name"] == "Idempotency-Key"


async def test_keys_belong_to_one_api_key(
    client: httpx.AsyncClient,
    database: Database,
    writer: dict[str, str],
) -> None:
    other_writer = await key_headers(database)
    mine = await client.post(
        "/v1/articles", json=payload(), headers=writer | {"Idempotency-Key": "same"}
    )
    theirs = await client.post(
        "/v1/articles",
        json=payload(url="https://news.example/b"),
        headers=other_writer | {"Idempotency-Key": "same"},
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)


async def test_fifty_concurrent_posts_with_one_key_write_one_row(
    settings: Settings,
    database: Database,
    writer: dict[str, str],
) -> None:
    headers = writer | {"Idempotency-Key": "burst"}
    # The requests queue on the key's row lock holding their connections; a long pool wait
    # keeps a slow machine from turning that queue into 503s.
    patient = settings.model_copy(update={"pool_timeout_seconds": 30.0})
    async with serving(patient) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/articles", json=payload(), headers=headers) for _ in range(50))
        )
    # Past a limit the promise is a 503 to retry, never a second row or another answer.
    statuses = {r.status_code for r in responses}
    assert 201 in statuses and statuses <= {201, 503}, statuses
    assert all("Retry-After" in r.headers for r in responses if r.status_code == 503)
    assert len({r.content for r in responses if r.status_code == 201}) == 1
    assert await articles(database) == 1


async def test_a_retry_while_the_first_runs_is_409(settings: Settings, database: Database) -> None:
    headers = await key_headers(database)
    raw = orjson.dumps(payload())
    principal = "key:" + headers["Authorization"].split("_")[1]
    async with database.session(write=True) as session:  # a first request, still in flight
        claim = await idempotency.claim(
            session, principal, "slow", request_hash("POST", "/v1/articles", "", raw)
        )
    assert claim.replay is None and not claim.running
    headers |= {"Idempotency-Key": "slow", "Content-Type": "application/json"}
    async with serving(settings.model_copy(update={"idempotency_wait_seconds": 0.2})) as http:
        response = await http.post("/v1/articles", content=raw, headers=headers)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_failed_request_frees_its_key(
    client: httpx.AsyncClient,
    database: Database,
    writer: dict[str, str],
) -> None:
    headers = writer | {"Idempotency-Key": "retry-me"}
    bad = payload(source="no-such-source")
    assert (await client.post("/v1/articles", json=bad, headers=headers)).status_code == 422
    assert (await client.post("/v1/articles", json=payload(), headers=headers)).status_code == 201
    async with database.session() as session:
        stored = (await session.scalars(select(IdempotentRequest))).all()
    assert [(row.key, row.status) for row in stored] == [("retry-me", 201)]


@pytest.mark.parametrize("key", [b"", b"x" * 201, "naïve".encode("latin-1"), b"has space"])
async def test_malformed_keys_are_400(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    key: bytes,
) -> None:
    headers = {name.encode(): value.encode() for name, value in writer.items()}
    headers[b"Idempotency-Key"] = key
    response = await client.post("/v1/articles", json=payload(), headers=headers)
    assert response.status_code == 400
