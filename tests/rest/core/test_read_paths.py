"""Where reads run: the hottest on the driver, other short ones on SQLite's loop engine,
ranking on the pool.

The feed and the article page (both doors) run their one statement on the driver, with
no session (on SQLite that is a connection used on the loop's thread). Other short reads
run on the loop's own connections on SQLite (no hop to aiosqlite's thread per
statement), while a search or a related list, which may run for tens of milliseconds,
does not stall every other request on the loop. PostgreSQL has the one pooled engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.db.database import Database
from tests.fixtures.databases import recording_statements

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine_of_each_query(app: Starlette) -> Iterator[list[str]]:
    """For each SELECT sent: "driver", "loop" or "pool", by where it ran."""
    seen: list[str] = []

    def record(where: str, statement: str) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(where)

    with recording_statements(app.state.db, record):
        yield seen


async def _engines_for(
    client: httpx.AsyncClient, seen: list[str], method: str, url: str, **kwargs: Any
) -> set[str]:
    seen.clear()
    response = await client.request(method, url, **kwargs)
    assert response.status_code == 200, response.text
    assert seen, "no query recorded"
    return set(seen)


async def test_reads_run_where_they_should(
    app: Starlette, client: httpx.AsyncClient, corpus: int, engine_of_each_query: list[str]
) -> None:
    database: Database = app.state.db
    short = "loop" if database.backend == "sqlite" else "pool"
    assert (database.loop_reads is not None) is (database.backend == "sqlite")
    assert database.driver_reads is not None
    slug = (await client.get("/v1/articles?limit=1")).json()["items"][0]["slug"]
    seen = engine_of_each_query
    assert await _engines_for(client, seen, "GET", "/v1/articles?limit=20") == {"driver"}
    assert await _engines_for(client, seen, "GET", f"/v1/articles/{slug}") == {"driver"}
    assert await _engines_for(client, seen, "GET", "/v1/categories") == {short}
    assert await _engines_for(client, seen, "GET", "/v1/search?q=market") == {"pool"}
    assert await _engines_for(client, seen, "GET", f"/v1/articles/{slug}/related") == {"pool"}
    feed = {"query": "{ articles(first: 5) { nodes { slug mentions { entity { slug } } } } }"}
    assert await _engines_for(client, seen, "POST", "/graphql", json=feed) == {"driver"}
    # One ranking field anywhere in the document (here inside a fragment) moves it all.
    ranked = {
        "query": '{ ...F } fragment F on Query { search(query: "market", first: 1) '
        "{ edges { cursor } } }"
    }
    assert await _engines_for(client, seen, "POST", "/graphql", json=ranked) == {"pool"}
