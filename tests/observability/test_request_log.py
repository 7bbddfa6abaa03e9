"""One structured JSON log line per request; the key's id, never the key itself."""

from __future__ import annotations

import httpx
import pytest

from api.db.database import Database
from tests.fixtures.logs import json_logs, new_token

pytestmark = pytest.mark.anyio
FIELDS = {"method", "route", "path", "status", "duration_ms", "request_id", "key_id", "client"}


async def test_one_line_per_request_with_every_field(client: httpx.AsyncClient) -> None:
    with json_logs() as logs:
        responses = [
            await client.get("/v1/articles"),
            await client.get("/v1/articles/no-such-article"),
            await client.get("/v1/search", params={"limit": 1000}),
        ]
    lines = logs.access()
    assert len(lines) == 3
    for line, response in zip(lines, responses, strict=True):
        assert line.keys() >= FIELDS
        assert line["level"] == "info"
        assert line["status"] == response.status_code
        assert line["request_id"] == response.headers["x-request-id"]
        assert line["key_id"] is None
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0
    assert [(x["method"], x["route"], x["status"]) for x in lines] == [
        ("GET", "/v1/articles", 200),
        ("GET", "/v1/articles/{key}", 404),
        ("GET", "/v1/search", 400),
    ]
    assert lines[1]["path"] == "/v1/articles/no-such-article"


async def test_keyed_requests_log_the_key_id_and_never_the_key(
    client: httpx.AsyncClient, database: Database
) -> None:
    key_id, token = await new_token(database)
    # "bsk_<id>_<secret>": the secret is URL-safe base64 and may itself hold "_".
    secret = token.split("_", 2)[2]
    wrong = token[:-4] + "AAAA"  # right id, wrong secret: refused
    with json_logs() as logs:
        ok = await client.get("/v1/sources", headers={"Authorization": f"Bearer {token}"})
        via_header = await client.get(
            "/graphql?query={sources{slug}}", headers={"X-API-Key": token}
        )
        refused = await client.get("/v1/sources", headers={"Authorization": f"Bearer {wrong}"})
    assert (ok.status_code, via_header.status_code, refused.status_code) == (200, 200, 401)
    lines = logs.access()
    assert [line["key_id"] for line in lines] == [key_id, key_id, None]
    assert lines[2]["status"] == 401
    for leaked in (token, secret, wrong, wrong.split("_", 2)[2]):
        assert leaked not in logs.text


async def test_log_lines_during_a_request_carry_its_id(app: object) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    assert isinstance(app, Starlette)

    async def noisy(_request: Request) -> Response:
        import logging

        logging.getLogger("broadsheet.test").warning("inside the handler")
        return Response(b"{}", media_type="application/json")

    app.router.routes.append(Route("/test-noisy", noisy))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        with json_logs() as logs:
            response = await http.get("/test-noisy", headers={"X-Request-ID": "trace-me-42"})
    inside = [e for e in logs.entries() if e["logger"] == "broadsheet.test"]
    assert [e["request_id"] for e in inside] == ["trace-me-42"]
    assert response.headers["x-request-id"] == "trace-me-42"
    assert logs.access()[0]["route"] == "/test-noisy"
