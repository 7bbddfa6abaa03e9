"""REST writes: keys and scopes, create/replace/patch/delete, If-Match, tombstones, bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.db.database import Database
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.databases import THROUGH_POOLER
from tests.fixtures.serving import serving
from tests.fixtures.writes import create, key_headers, payload

# Also through PgBouncer in transaction mode (tests/fixtures/pgbouncer.py).
pytestmark = [pytest.mark.anyio, THROUGH_POOLER]


async def test_writes_need_a_write_key(client: httpx.AsyncClient, database: Database) -> None:
    anonymous = await client.post("/v1/articles", json=payload())
    reader = await client.post(
        "/v1/articles", json=payload(), headers=await key_headers(database, KeyScope.READ)
    )
    assert (anonymous.status_code, reader.status_code) == (401, 403)
    assert anonymous.headers["content-type"] == "application/problem+json"
    admin = await key_headers(database, KeyScope.ADMIN)
    assert (await client.post("/v1/articles", json=payload(), headers=admin)).status_code == 201


async def test_create_then_read_back(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    created = await create(client, writer)
    body = created.json()
    assert created.headers["location"] == f"/v1/articles/{body['id']}"
    assert created.headers["etag"].startswith('"v1.')
    fetched = await client.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["etag"] == created.headers["etag"]
    again = await client.post("/v1/articles", json=payload(), headers=writer)
    assert again.status_code == 409
    assert body["id"] in again.json()["detail"]


@pytest.mark.parametrize("field", ["id", "version", "created_at", "updated_at", "public_id"])
async def test_mass_assignment_is_refused(
    client: httpx.AsyncClient, writer: dict[str, str], field: str
) -> None:
    body = payload() | {field: 99}
    response = await client.post("/v1/articles", json=body, headers=writer)
    assert response.status_code == 422
    assert field in {p["name"] for p in response.json()["invalid_params"]}


@pytest.mark.parametrize("blank", ["\u200b", " \u200c\u200d ", "\u2060", "\ufeff\u200b"])
async def test_invisible_only_text_is_blank(
    client: httpx.AsyncClient, writer: dict[str, str], blank: str
) -> None:
    source = {"slug": "wire", "name": blank, "homepage_url": "https://wire.example"}
    entity = {"slug": "acme", "name": blank, "type": "company"}
    for path, body, field in [
        ("/v1/articles", payload(title=blank), "title"),
        ("/v1/articles", payload(source=source), "source.name"),
        ("/v1/sources", source, "name"),
        ("/v1/entities", entity, "name"),
    ]:
        response = await client.post(path, json=body, headers=writer)
        assert response.status_code == 422, (path, field, response.text)
        assert field in {p["name"] for p in response.json()["invalid_params"]}
    assert (await client.get("/v1/articles")).json()["items"] == []


async def test_bad_bodies_are_clear_4xx(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    def post(content: bytes, content_type: str | None = "application/json") -> Any:
        headers = dict(writer)
        if content_type:
            headers["Content-Type"] = content_type
        return client.post("/v1/articles", content=content, headers=headers)

    assert (await post(b"{}", "text/plain")).status_code == 415
    assert (await post(b"{}", None)).status_code == 415
    assert (await post(b"{}", "application/json; charset=latin-1")).status_code == 415
    assert (await post(b'{"title": "\xff\xfe"}')).status_code == 400
    assert (await post(b'{"title": "a\x00b"}')).status_code == 400
    assert (await post(b'{"title": ')).status_code == 400
    assert (await post(b"[1, 2]")).status_code == 422
    nul = await post(b'{"url": "https://x.example/a", "title": "a\\u0000b"}')
    assert nul.status_code in (400, 422)
    for response in [await post(b"{}", "text/plain"), await post(b"[1]")]:
        assert response.headers["content-type"] == "application/problem+json"


async def test_oversized_bodies_are_413(settings: Settings, database: Database) -> None:
    writer = await key_headers(database)
    small = settings.model_copy(update={"max_body_bytes": 2048})
    async with serving(small) as http:
        big = payload(summary="x" * 5000)
        response = await http.post("/v1/articles", json=big, headers=writer)
        assert response.status_code == 413
        assert (await http.get("/v1/changes")).json()["items"] == []


async def test_patch_needs_the_current_etag(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    created = await create(client, writer)
    location, etag = created.headers["location"], created.headers["etag"]
    missing = await client.patch(location, json={"title": "New"}, headers=writer)
    assert missing.status_code == 428
    patched = await client.patch(
        location, json={"title": "New title"}, headers=writer | {"If-Match": etag}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "New title"
    assert patched.json()["version"] == 2
    assert patched.json()["author"] == "Desk"  # untouched fields stay
    assert patched.headers["etag"].startswith('"v2.')
    assert patched.headers["etag"] == (await client.get(location)).headers["etag"]
    chained = await client.patch(
        location, json={"author": "Desk 2"}, headers=writer | {"If-Match": patched.headers["etag"]}
    )
    assert chained.status_code == 200
    patched = await client.patch(
        location, json={"author": "Desk"}, headers=writer | {"If-Match": chained.headers["etag"]}
    )
    assert patched.json()["version"] == 4
    stale = await client.patch(
        location, json={"title": "Other"}, headers=writer | {"If-Match": etag}
    )
    assert stale.status_code == 412
    weak = await client.patch(
        location, json={"title": "Other"}, headers=writer | {"If-Match": "W/" + etag}
    )
    assert weak.status_code == 412
    assert (await client.get(location)).json()["title"] == "New title"


async def test_put_replaces_the_whole_article(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    created = await create(client, writer)
    replacement = payload(url="https://news.example/moved", title="Replaced")
    del replacement["author"]
    del replacement["mentions"]
    response = await client.put(
        created.headers["location"],
        json=replacement,
        headers=writer | {"If-Match": created.headers["etag"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["url"], body["author"], body["version"]) == (
        "Replaced",
        "https://news.example/moved",
        None,
        2,
    )
    assert body["entity_groups"] == [] or all(not g["entities"] for g in body["entity_groups"])


async def test_delete_leaves_a_tombstone(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    created = await create(client, writer)
    location, slug = created.headers["location"], created.json()["slug"]
    assert (await client.delete(location)).status_code == 401
    deleted = await client.delete(location, headers=writer)
    assert deleted.status_code == 204
    assert deleted.content == b""
    for path in (location, f"/v1/articles/{slug}"):
        gone = await client.get(path)
        assert gone.status_code == 410
        assert gone.headers["content-type"] == "application/problem+json"
    assert (await client.delete(location, headers=writer)).status_code == 410
    patch = await client.patch(location, json={"title": "x"}, headers=writer | {"If-Match": "*"})
    assert patch.status_code == 410
    assert (await client.get("/v1/articles/no-such-article")).status_code == 404
    # The URL is free again: a new article, with a new id.
    recreated = await create(client, writer)
    assert recreated.json()["id"] != created.json()["id"]


async def test_concurrent_patches_with_one_etag_let_exactly_one_through(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    created = await create(client, writer)
    headers = writer | {"If-Match": created.headers["etag"]}

    async def patch(n: int) -> int:
        # As a client must: a 503 (pool or statement budget spent while 50 writers queue on
        # one row, seen on a loaded CI machine) is retried; the retry must not go through.
        for _ in range(5):
            response = await client.patch(
                created.headers["location"], json={"title": f"Title {n}"}, headers=headers
            )
            if response.status_code != 503:
                break
            assert "retry-after" in response.headers
            await asyncio.sleep(0.1)
        return response.status_code

    statuses = await asyncio.gather(*(patch(n) for n in range(50)))
    assert sorted(statuses) == [200] + [412] * 49
    final = (await client.get(created.headers["location"])).json()
    assert final["version"] == 2


async def test_concurrent_creates_of_one_url_are_one_201_and_409s(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    responses = await asyncio.gather(
        *(client.post("/v1/articles", json=payload(), headers=writer) for _ in range(12))
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 11
    sources = await asyncio.gather(
        *(
            client.post(
                "/v1/sources",
                json={"slug": "herald", "name": "Herald", "homepage_url": "https://h.example"},
                headers=writer,
            )
            for _ in range(8)
        )
    )
    assert sorted(r.status_code for r in sources) == [201] + [409] * 7
