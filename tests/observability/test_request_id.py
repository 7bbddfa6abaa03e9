"""X-Request-ID: a sane client value is kept, anything else replaced; echoed on every answer."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fixtures.logs import json_logs

pytestmark = pytest.mark.anyio
GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_an_id_is_generated_per_request(client: httpx.AsyncClient) -> None:
    first, second = await client.get("/v1/articles"), await client.get("/v1/articles")
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(GENERATED.fullmatch(i) for i in ids)
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    "value", ["abc-123", "0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d", "span.1:2_x", "a" * 128]
)
async def test_a_sane_client_id_is_echoed(client: httpx.AsyncClient, value: str) -> None:
    response = await client.get("/v1/articles", headers={"X-Request-ID": value})
    assert response.headers["x-request-id"] == value


@pytest.mark.parametrize(
    "value", ["", "a" * 129, "has space", "semi;colon", "<script>", "ünïcode", "new\tline"]
)
async def test_junk_is_replaced(client: httpx.AsyncClient, value: str) -> None:
    with json_logs() as logs:
        response = await client.get("/v1/articles", headers={b"X-Request-ID": value.encode()})
    echoed = response.headers["x-request-id"]
    assert GENERATED.fullmatch(echoed)
    assert logs.access()[0]["request_id"] == echoed


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/v1/articles/no-such-article", {}, 404),
        ("GET", "/nowhere", {}, 404),
        ("GET", "/v1/articles?limit=0", {}, 400),
        ("GET", "/v1/articles", {"Authorization": "Bearer nope"}, 401),
        ("DELETE", "/v1/sources", {}, 405),
        ("POST", "/v1/articles", {}, 401),
        ("GET", "/healthz", {}, 200),
        ("POST", "/graphql", {"Content-Type": "application/json"}, 400),
    ],
)
async def test_every_answer_carries_it(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    response = await client.request(
        method, path, headers={**headers, "X-Request-ID": "req-7"}, content=b"{"
    )
    assert response.status_code == status
    assert response.headers["x-request-id"] == "req-7"


async def test_a_500_carries_it_and_is_logged_as_500(app: Starlette) -> None:
    async def boom(_request: Request) -> Response:
        raise RuntimeError("kaboom")

    app.router.routes.append(Route("/test-boom", boom))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        with json_logs() as logs:
            response = await http.get("/test-boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "boom-1"
    errors = [e for e in logs.entries() if e["logger"] == "broadsheet.errors"]
    assert errors
    assert errors[0]["request_id"] == "boom-1"
    assert "kaboom" in errors[0]["exc"]
    [line] = logs.access()
    assert (line["route"], line["status"], line["request_id"]) == ("/test-boom", 500, "boom-1")
