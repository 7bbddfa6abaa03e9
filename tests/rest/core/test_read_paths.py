"""Where reads run on SQLite: short ones on the event loop's connections, ranking on the pool.

The split is what makes the feed and the article page cheap (no hop to aiosqlite's thread
per statement) while a search or a related list, which may run for tens of milliseconds,
does not stall every other request on the loop. PostgreSQL has the one pooled engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event
from starlette.applications import Starlette

from api.db.database import Database

pytestmark = pytest.mark.anyio


@pytest.fixture
def engine_of_each_query(app: Starlette) -> Iterator[list[str]]:
    """For each SELECT sent: "loop" or "pool", by the engine that ran it."""
    database: Database = app.state.db
    seen: list[str] = []
    listeners: list[tuple[Engine, Any]] = []
    for engine in database.sync_engines:
        name = "loop" if engine is database.loop_reads else "pool"

        def record(*args: Any, name: str = name) -> None:
            if str(args[2]).lstrip().upper().startswith(("SELECT", "WITH")):
                seen.append(name)

        event.listen(engine, "before_cursor_execute", record)
        listeners.append((engine, record))
    yield seen
    for engine, record in listeners:
        event.remove(engine, "before_cursor_execute", record)


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
    slug = (await client.get("/v1/articles?limit=1")).json()["items"][0]["slug"]
    seen = engine_of_each_query
    assert await _engines_for(client, seen, "GET", "/v1/articles?limit=20") == {short}
    assert await _engines_for(client, seen, "GET", f"/v1/articles/{slug}") == {short}
    assert await _engines_for(client, seen, "GET", "/v1/search?q=market") == {"pool"}
    assert await _engines_for(client, seen, "GET", f"/v1/articles/{slug}/related") == {"pool"}
    feed = {"query": "{ articles(first: 5) { nodes { slug mentions { entity { slug } } } } }"}
    assert await _engines_for(client, seen, "POST", "/graphql", json=feed) == {short}
    # One ranking field anywhere in the document (here inside a fragment) moves it all.
    ranked = {
        "query": '{ ...F } fragment F on Query { search(query: "market", first: 1) '
        "{ edges { cursor } } }"
    }
    assert await _engines_for(client, seen, "POST", "/graphql", json=ranked) == {"pool"}
