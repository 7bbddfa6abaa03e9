"""The access gate: key authentication, read protection and rate limits (memory and Redis)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.db.database import Database
from api.domain.access.keys import create_key, revoke_key
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.serving import serving

pytestmark = pytest.mark.anyio
REDIS_URL = "redis://127.0.0.1:6379/0"


async def new_key(database: Database, scope: KeyScope = KeyScope.READ) -> tuple[str, str]:
    async with database.session(write=True) as session:
        record, token = await create_key(session, "test", scope)
    return record.key_id, token


async def test_reads_are_public_and_a_valid_key_is_accepted_both_ways(
    client: httpx.AsyncClient, database: Database
) -> None:
    _, token = await new_key(database)
    assert (await client.get("/v1/sources")).status_code == 200
    bearer = await client.get("/v1/sources", headers={"Authorization": f"Bearer {token}"})
    header = await client.get("/v1/sources", headers={"X-API-Key": token})
    assert (bearer.status_code, header.status_code) == (200, 200)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer bsk_aaaaaaaaaaaa_" + "x" * 43},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"X-API-Key": "not-a-key"},
    ],
)
async def test_a_bad_key_is_401_problem_even_on_public_reads(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v1/sources", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


async def test_a_revoked_key_is_refused(settings: Settings, database: Database) -> None:
    key_id, token = await new_key(database)
    async with database.session(write=True) as session:
        await revoke_key(session, key_id)
    async with serving(settings) as http:
        response = await http.get("/v1/sources", headers={"X-API-Key": token})
    assert response.status_code == 401


@pytest.mark.parametrize("param", ["api_key", "apikey", "access_token", "token", "API_KEY"])
async def test_keys_are_never_accepted_in_the_url(client: httpx.AsyncClient, param: str) -> None:
    response = await client.get(f"/v1/sources?{param}=bsk_whatever")
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == param  # the offending parameter


async def test_reads_can_require_a_key(settings: Settings, database: Database) -> None:
    _, token = await new_key(database)
    locked = settings.model_copy(update={"require_key_for_reads": True})
    async with serving(locked) as http:
        assert (await http.get("/v1/articles")).status_code == 401
        assert (
            await http.post("/graphql", json={"query": "{ sources { slug } }"})
        ).status_code == 401
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/docs")).status_code == 200
        authorized = {"Authorization": f"Bearer {token}"}
        assert (await http.get("/v1/articles", headers=authorized)).status_code == 200


async def test_every_response_carries_ratelimit_headers(client: httpx.AsyncClient) -> None:
    for path in ("/v1/sources", "/v1/nowhere"):
        response = await client.get(path)
        assert response.headers["ratelimit-policy"].startswith('"anonymous";q=1000000;w=60')
        assert response.headers["ratelimit"].startswith('"anonymous";r=')


def limited(settings: Settings, *, redis: bool) -> Settings:
    return settings.model_copy(
        update={
            "rate_limit_anonymous": "3/minute",
            "rate_limit_keyed": "5/minute",
            "redis_url": REDIS_URL if redis else None,
            "rate_limit_prefix": f"test-{uuid.uuid4().hex}",
        }
    )


async def test_over_the_limit_is_429_problem_with_retry_after(settings: Settings) -> None:
    async with serving(limited(settings, redis=False)) as http:
        statuses = [(await http.get("/v1/sources")).status_code for _ in range(4)]
        response = await http.get("/v1/sources")
    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit"].startswith('"anonymous";r=0;t=')


async def test_keys_have_their_own_budget(settings: Settings, database: Database) -> None:
    _, token = await new_key(database)
    async with serving(limited(settings, redis=False)) as http:
        for _ in range(3):
            await http.get("/v1/sources")
        assert (await http.get("/v1/sources")).status_code == 429
        keyed = [
            (await http.get("/v1/sources", headers={"X-API-Key": token})).status_code
            for _ in range(6)
        ]
    assert keyed == [200] * 5 + [429]


async def test_in_process_counters_are_per_instance(settings: Settings) -> None:
    config = limited(settings, redis=False)
    async with serving(config) as first, serving(config) as second:
        one = [(await first.get("/v1/sources")).status_code for _ in range(3)]
        two = [(await second.get("/v1/sources")).status_code for _ in range(3)]
    assert one == two == [200, 200, 200]


async def test_redis_counters_are_shared_by_two_instances(settings: Settings) -> None:
    config = limited(settings, redis=True)
    async with serving(config) as first, serving(config) as second:
        statuses = [
            (await http.get("/v1/sources")).status_code for http in (first, second, first, second)
        ]
    assert statuses == [200, 200, 200, 429]


async def test_an_unreachable_redis_fails_open(settings: Settings) -> None:
    config = limited(settings, redis=True).model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with serving(config) as http:
        response = await http.get("/v1/sources")
    assert response.status_code == 200
    assert "ratelimit" not in response.headers
