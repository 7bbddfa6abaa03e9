"""Writing sources and entities: versions, If-Match, refused deletes, ripples to articles."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.writes import create

pytestmark = pytest.mark.anyio
SOURCE = {"slug": "tribune", "name": "The Tribune", "homepage_url": "https://tribune.example"}
ENTITY = {"slug": "globex", "name": "Globex", "type": "company", "aliases": ["Globex Corp"]}


async def changes(client: httpx.AsyncClient) -> list[tuple[str, str, str, int]]:
    items = (await client.get("/v1/changes", params={"limit": 1000})).json()["items"]
    return [(c["resource"], c["op"], c["id"], c["version"]) for c in items]


@pytest.mark.parametrize(
    ("collection", "body", "patch"),
    [("/v1/sources", SOURCE, {"name": "Tribune"}), ("/v1/entities", ENTITY, {"name": "Globex!"})],
)
async def test_create_patch_replace_delete(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    collection: str,
    body: dict[str, object],
    patch: dict[str, object],
) -> None:
    assert (await client.post(collection, json=body)).status_code == 401
    created = await client.post(collection, json=body, headers=writer)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location == f"{collection}/{body['slug']}"
    assert (await client.post(collection, json=body, headers=writer)).status_code == 409
    read = await client.get(location)
    assert read.headers["etag"] == created.headers["etag"]
    assert read.headers["etag"].startswith('"v1.')

    assert (await client.patch(location, json=patch, headers=writer)).status_code == 428
    patched = await client.patch(
        location, json=patch, headers=writer | {"If-Match": read.headers["etag"]}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == patch["name"]
    assert patched.headers["etag"].startswith('"v2.')
    stale = await client.patch(
        location, json=patch, headers=writer | {"If-Match": read.headers["etag"]}
    )
    assert stale.status_code == 412

    renamed = dict(body, slug="other-slug")
    wrong_slug = await client.put(
        location, json=renamed, headers=writer | {"If-Match": patched.headers["etag"]}
    )
    assert wrong_slug.status_code == 422
    replaced = await client.put(
        location, json=body, headers=writer | {"If-Match": patched.headers["etag"]}
    )
    assert replaced.status_code == 200
    assert replaced.json()["name"] == body["name"]

    assert (await client.delete(location, headers=writer)).status_code == 204
    assert (await client.get(location)).status_code == 404
    resource = collection.rsplit("/", 1)[1].rstrip("s").replace("entitie", "entity")
    slug = str(body["slug"])
    assert await changes(client) == [
        (resource, "created", slug, 1),
        (resource, "updated", slug, 2),
        (resource, "updated", slug, 3),
        (resource, "deleted", slug, 4),
    ]


async def test_a_cited_source_cannot_be_deleted(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    await create(client, writer)  # cites the source "wire"
    response = await client.delete("/v1/sources/wire", headers=writer)
    assert response.status_code == 409
    assert (await client.get("/v1/sources/wire")).status_code == 200


async def test_deleting_an_entity_updates_the_articles_mentioning_it(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    article = (await create(client, writer)).json()  # mentions "acme"
    assert (await client.get("/v1/entities/acme")).json()["mention_count"] == 1
    assert (await client.delete("/v1/entities/acme", headers=writer)).status_code == 204
    after = (await client.get(f"/v1/articles/{article['id']}")).json()
    assert after["version"] == article["version"] + 1
    assert all(not group["entities"] for group in after["entity_groups"])
    log = await changes(client)
    assert ("article", "updated", article["id"], article["version"] + 1) in log
    assert log[-1] == ("entity", "deleted", "acme", 2)


async def test_inline_sources_and_entities_enter_the_log(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    first = (await create(client, writer)).json()
    renamed = {"slug": "wire", "name": "The Wire (renamed)", "homepage_url": "https://wire.example"}
    await create(client, writer, url="https://news.example/b", source=renamed)
    log = await changes(client)
    assert log[:3] == [
        ("source", "created", "wire", 1),
        ("entity", "created", "acme", 1),
        ("article", "created", first["id"], 1),
    ]
    assert ("source", "updated", "wire", 2) in log[3:]
