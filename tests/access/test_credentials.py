"""What a request may present: one credential, in a header, and no key anywhere in its URL."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from api.db.database import Database
from api.domain.access.keys import create_key, revoke_key
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.serving import serving

pytestmark = pytest.mark.anyio


async def new_token(database: Database, *, revoked: bool = False) -> str:
    async with database.session(write=True) as session:
        record, token = await create_key(session, "test", KeyScope.WRITE)
        if revoked:
            await revoke_key(session, record.key_id)
    return token


def _assert_two_credentials(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "one credential" in response.json()["detail"]


async def test_a_revoked_x_api_key_beside_a_valid_bearer_is_400(
    settings: Settings, database: Database
) -> None:
    valid, revoked = await new_token(database), await new_token(database, revoked=True)
    async with serving(settings) as http:
        alone = await http.get("/v1/sources", headers={"Authorization": f"Bearer {valid}"})
        both = await http.get(
            "/v1/sources", headers={"Authorization": f"Bearer {valid}", "X-API-Key": revoked}
        )
    assert alone.status_code == 200
    _assert_two_credentials(both)


@pytest.mark.parametrize("name", ["Authorization", "X-API-Key"])
async def test_the_same_header_twice_is_400(
    client: httpx.AsyncClient, database: Database, name: str
) -> None:
    valid = await new_token(database)
    value = f"Bearer {valid}" if name == "Authorization" else valid
    response = await client.get("/v1/sources", headers=[(name, value), (name, value)])
    _assert_two_credentials(response)


async def test_two_credentials_on_graphql_are_a_400_with_a_graphql_error(
    client: httpx.AsyncClient, database: Database
) -> None:
    valid = await new_token(database)
    response = await client.post(
        "/graphql",
        json={"query": "{ sources { slug } }"},
        headers={"Authorization": f"Bearer {valid}", "X-API-Key": valid},
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "one credential" in error["message"]


KEY = "bsk_abcdefghijkl_" + "s" * 43


@pytest.mark.parametrize(
    "url",
    [
        f"/v1/search?q={KEY}",  # a value, under a name no list would hold
        f"/v1/search?q=my+key+is+{KEY}",  # inside a longer value
        f"/v1/search?q=chips&{KEY}=1",  # as a name
        f"/v1/search?q={KEY.replace('b', '%62', 1)}",  # percent-encoded
        f"/graphql?query={quote('{ __typename } # ' + KEY)}",  # GraphQL over GET
        f"/search?q={KEY}",  # the site
        f"/docs?k={KEY}",  # the docs
        f"/static/site.css?v={KEY}",  # a static file
        f"/healthz?k={KEY}",  # even a probe
    ],
)
async def test_a_key_in_any_query_parameter_is_refused(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["invalid_params"][0]["reason"].startswith("never put API keys in URLs")


@pytest.mark.parametrize("url", ["/v1/search?q=bsk", "/v1/search?q=bsk_chips", "/search?q=bsk_"])
async def test_text_that_is_no_key_passes(client: httpx.AsyncClient, url: str) -> None:
    assert (await client.get(url)).status_code == 200
