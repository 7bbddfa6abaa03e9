"""HTTP semantics: problem+json errors, caching validators, health, and never a 500."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.settings import Settings


async def test_etag_and_conditional_get(client: httpx.AsyncClient, corpus: int) -> None:
    first = await client.get("/v1/articles", params={"limit": 5})
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert "max-age" in first.headers["cache-control"]
    again = await client.get("/v1/articles", params={"limit": 5}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await client.get("/v1/articles", params={"limit": 6}, headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


async def test_article_last_modified_and_if_modified_since(
    client: httpx.AsyncClient, corpus: int
) -> None:
    slug = (await client.get("/v1/articles", params={"limit": 1})).json()["items"][0]["slug"]
    page = await client.get(f"/v1/articles/{slug}")
    modified = page.headers["last-modified"]
    fresh = await client.get(f"/v1/articles/{slug}", headers={"If-Modified-Since": modified})
    assert fresh.status_code == 304
    stale = await client.get(
        f"/v1/articles/{slug}", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert stale.status_code == 200


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("sentiment=ecstatic", "sentiment"),
        ("importance_min=11", "importance_min"),
        ("importance_max=0", "importance_max"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WyJpbXBvcnRhbmNlIiw1LDEsMl0", "cursor"),  # minted for another ordering
        ("published_after=yesterday", "published_after"),
        ("published_after=2026-01-01T00:00:00", "published_after"),
        ("entity_mode=some", "entity_mode"),
        ("order=oldest", "order"),
        ("colour=red", "colour"),
        ("limit=1&limit=2", "limit"),
        ("category=%00", "category"),
        ("fields=title%00", "fields"),
    ],
)
async def test_invalid_parameters_are_named_in_a_400_problem(
    client: httpx.AsyncClient, query: str, param: str
) -> None:
    response = await client.get(f"/v1/articles?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == 400
    assert param in {p["name"] for p in problem["invalid_params"]}


async def test_huge_values_are_refused_cleanly(client: httpx.AsyncClient) -> None:
    huge = "a" * 20_000
    for path in [f"/v1/articles?q={huge}", f"/v1/articles/{huge}", f"/v1/entities?q={huge[:5000]}"]:
        response = await client.get(path)
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == "application/problem+json"


async def test_nul_bytes_in_path_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/articles/abc%00def")
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "key"


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/sources")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.headers["content-type"] == "application/problem+json"


async def test_unknown_path_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": True, "migrations_at_head": True}


async def test_docs_are_self_hosted(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text
    for asset in ["/docs/static/swagger-ui/swagger-ui-bundle.js", "/docs/static/docs.js"]:
        assert (await client.get(asset)).status_code == 200


async def test_readiness_is_503_when_migrations_are_behind(
    client: httpx.AsyncClient, database_url: str
) -> None:
    from api.db import migrate

    migrate.downgrade(database_url, "base")
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations_at_head"] is False
    migrate.upgrade(database_url)


async def test_cors_is_opt_in(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://news.example"]}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            allowed = await http.get("/healthz", headers={"Origin": "https://news.example"})
            other = await http.get("/healthz", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://news.example"
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("query", ["q=a%00b", "q%00=harbor", "q=harbor&q=a%00"])
async def test_a_nul_byte_is_one_accurate_reason(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/v1/search?{query}")
    assert response.status_code == 400
    assert response.json()["invalid_params"] == [
        {"name": "q", "reason": "NUL bytes are not allowed"}
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles",
        "/v1/articles?limit=0",  # a problem raised by an operation
        "/v1/nothing",  # one raised by the router
        "/v1/feeds/rss",
        "/healthz",
        "/openapi.json",
        "/docs",
        "/docs/static/docs.js",
    ],
)
async def test_api_answers_are_never_sniffed(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_access_gates_problems_are_never_sniffed(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/articles", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/v1/articles/", "/v1/entities/", "/docs/", "/search/"])
async def test_a_trailing_slash_never_redirects_to_the_host_header(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.headers["content-type"] == "application/problem+json"
