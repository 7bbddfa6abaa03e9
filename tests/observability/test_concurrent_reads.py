"""64 concurrent clients, a bounded mix of reads, against a real server: zero errors.

Every concurrent answer must be the body a lone client got for the same request
before the load (search: the same hits; its scores decay with the clock): complete, valid,
and consistent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson
import pytest
from sqlalchemy import Engine

from tests.fixtures.live_server import live_server, seed

pytestmark = pytest.mark.anyio
CLIENTS = 64
ROUNDS = 5  # requests per client: 320 in all
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
FEED_QUERY = "query Feed { articles(first: 20) { edges { cursor node { slug title } } } }"


def plan(slugs: list[str]) -> list[tuple[str, str, bytes | None]]:
    """(method, path, body): feed, article pages, search, GraphQL feed."""
    # Each title's longest word: a leading "What" is a stop word PostgreSQL never finds.
    words = [max(filter(str.isalpha, slugs[i].split("-")), key=len) for i in range(0, 40, 8)]
    return [
        ("GET", "/v1/articles?limit=20", None),
        *(("GET", f"/v1/articles/{slug}", None) for slug in slugs[:6]),
        *(("GET", f"/v1/search?q={quote(word)}&limit=10", None) for word in words),
        ("POST", "/graphql", orjson.dumps({"query": FEED_QUERY})),
        ("GET", "/v1/articles?limit=20&order=importance", None),
    ]


def comparable(path: str, content: bytes) -> object:
    """The body as compared across clients; search scores decay with the clock, hits don't."""
    if not path.startswith("/v1/search"):
        return content
    body = orjson.loads(content)
    return sorted(hit["article"]["slug"] for hit in body["items"])


def check_reference(method: str, path: str, body: dict[str, object]) -> None:
    """What a lone client's answer must hold, before it is used as the reference."""
    if path.startswith("/v1/articles?"):
        assert isinstance(body["items"], list)
        assert len(body["items"]) == 20
    elif path.startswith("/v1/articles/"):
        assert body["slug"] == path.rsplit("/", 1)[1]
    elif path.startswith("/v1/search"):
        assert isinstance(body["items"], list)
        assert body["items"], f"no hit for {path}"
    else:
        assert method == "POST"
        assert "errors" not in body
        data = body["data"]
        assert isinstance(data, dict)
        assert len(data["articles"]["edges"]) == 20


async def test_64_concurrent_readers_get_complete_valid_answers(
    sync_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    slugs = seed(sync_engine, articles=120, seed_value=5)
    requests = plan(slugs)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    with live_server(database_url, tmp_path / "server.log") as server:
        async with httpx.AsyncClient(
            base_url=server.base_url, limits=limits, timeout=30, headers=HEADERS
        ) as http:
            reference: dict[int, object] = {}
            for index, (method, path, body) in enumerate(requests):
                response = await http.request(method, path, content=body)
                assert response.status_code == 200, (path, response.text[:300])
                check_reference(method, path, orjson.loads(response.content))
                reference[index] = comparable(path, response.content)

            failures: list[str] = []

            async def client(number: int) -> int:
                done = 0
                for step in range(ROUNDS):
                    index = (number * ROUNDS + step) % len(requests)
                    method, path, body = requests[index]
                    try:
                        response = await http.request(method, path, content=body)
                    except httpx.HTTPError as exc:
                        failures.append(f"{path}: {exc!r}")
                        continue
                    if response.status_code != 200:
                        failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                    elif comparable(path, response.content) != reference[index]:
                        failures.append(f"{path}: body differs ({len(response.content)} bytes)")
                    else:
                        orjson.loads(response.content)  # complete JSON, or this raises
                        done += 1
                return done

            completed = await asyncio.wait_for(
                asyncio.gather(*(client(n) for n in range(CLIENTS))), timeout=120
            )
    assert failures == []
    assert sum(completed) == CLIENTS * ROUNDS
    assert "Traceback" not in server.log_text()
