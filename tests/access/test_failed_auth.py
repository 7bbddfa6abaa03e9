"""Failed authentication costs quota: bad keys count against the client's address, and
past the anonymous quota a presented key is refused before any database lookup."""

from __future__ import annotations

import secrets
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.access import keys_cache
from api.db.database import Database
from api.domain.access import KeyRecord, authenticate
from api.settings import Settings
from tests.fixtures.serving import serving
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio
REDIS_URL = "redis://127.0.0.1:6379/0"


def bogus() -> dict[str, str]:
    """A well-formed key that does not exist, new each time (so no cache answers it)."""
    key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(12))
    return {"Authorization": f"Bearer bsk_{key_id}_{secrets.token_urlsafe(32)}"}


def limited(settings: Settings, *, redis: bool) -> Settings:
    return settings.model_copy(
        update={
            "rate_limit_anonymous": "3/minute",
            "rate_limit_keyed": "100/minute",
            "redis_url": REDIS_URL if redis else None,
            "rate_limit_prefix": f"test-{uuid.uuid4().hex}",
        }
    )


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every key looked up in the database, in order."""
    seen: list[str] = []

    async def counted(session: AsyncSession, token: str) -> KeyRecord | None:
        seen.append(token)
        return await authenticate(session, token)

    monkeypatch.setattr(keys_cache, "authenticate", counted)
    return seen


@pytest.mark.parametrize("redis", [False, True], ids=["memory", "redis"])
async def test_bad_keys_are_limited_like_anonymous_calls_and_stop_reaching_the_database(
    settings: Settings, lookups: list[str], redis: bool
) -> None:
    async with serving(limited(settings, redis=redis)) as http:
        answers = [await http.get("/v1/sources", headers=bogus()) for _ in range(6)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429, 429, 429]
    assert len(lookups) == 3  # none once the quota was spent
    refused, limited_ = answers[2], answers[3]
    assert refused.headers["ratelimit"].startswith('"anonymous";r=0;')
    assert limited_.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited_.headers["retry-after"]) <= 60
    assert limited_.json()["status"] == 429


async def test_anonymous_calls_and_failed_keys_share_the_address_quota(
    settings: Settings,
) -> None:
    async with serving(limited(settings, redis=False)) as http:
        statuses = [
            (await http.get("/v1/sources")).status_code,
            (await http.get("/v1/sources", headers=bogus())).status_code,
            (await http.get("/v1/sources", headers={"Authorization": "Basic eDp5"})).status_code,
            (await http.get("/v1/sources")).status_code,
            (await http.get("/v1/sources", headers=bogus())).status_code,
        ]
    assert statuses == [200, 401, 401, 429, 429]


async def test_a_key_known_valid_still_passes_from_an_exhausted_address(
    settings: Settings, database: Database, lookups: list[str]
) -> None:
    good = await key_headers(database)
    async with serving(limited(settings, redis=False)) as http:
        assert (await http.get("/v1/sources", headers=good)).status_code == 200
        for _ in range(4):
            await http.get("/v1/sources", headers=bogus())
        assert (await http.get("/v1/sources", headers=bogus())).status_code == 429
        # Its own budget, not the address's: anonymous callers behind the same NAT do not
        # lock a known key out.
        response = await http.get("/v1/sources", headers=good)
    assert response.status_code == 200
    assert response.headers["ratelimit-policy"].startswith('"key";')


async def test_graphql_refusals_carry_a_graphql_error_code(settings: Settings) -> None:
    async with serving(limited(settings, redis=False)) as http:
        body = {"query": "{ sources { slug } }"}
        answers = [await http.post("/graphql", json=body, headers=bogus()) for _ in range(4)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    codes = [r.json()["errors"][0]["extensions"]["code"] for r in answers]
    assert codes == ["UNAUTHENTICATED"] * 3 + ["RATE_LIMITED"]
    assert answers[0].headers["content-type"] == "application/problem+json"


async def test_without_rate_limits_bad_keys_are_plain_401s(settings: Settings) -> None:
    config = settings.model_copy(
        update={"rate_limit_enabled": False, "rate_limit_anonymous": "1/minute"}
    )
    async with serving(config) as http:
        statuses = [(await http.get("/v1/sources", headers=bogus())).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]


async def test_past_the_failure_quota_even_an_unseen_valid_key_is_refused_unlooked(
    settings: Settings, database: Database, lookups: list[str]
) -> None:
    fresh = await key_headers(database)
    async with serving(limited(settings, redis=False)) as http:
        for _ in range(3):
            await http.get("/v1/sources", headers=bogus())
        response = await http.get("/v1/sources", headers=fresh)
    assert response.status_code == 429
    assert len(lookups) == 3  # the three bad keys; the fresh one was never looked up


async def test_anonymous_calls_alone_do_not_lock_a_key_out(
    settings: Settings, database: Database
) -> None:
    fresh = await key_headers(database)
    async with serving(limited(settings, redis=False)) as http:
        for _ in range(4):
            await http.get("/v1/sources")
        response = await http.get("/v1/sources", headers=fresh)
    assert response.status_code == 200
