"""Tampered cursors on every paged route: one 400 problem naming the parameter, never a
422 or a 500, on both databases (the values would overflow a column or upset a driver)."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.cursors import forge
from tests.fixtures.writes import create

MOMENT = 1_792_723_850_000_000  # a real article's microseconds
TAMPERED = {
    "newest": [
        forge("newest", -1, -1),
        forge("newest", 2**63, 5),
        forge("newest", MOMENT, 2**31),
        forge("newest", MOMENT, 2**63),
    ],
    "importance": [
        forge("importance", 2**63, MOMENT, 1903),
        forge("importance", 2**40, MOMENT, 1903),
        forge("importance", 11, MOMENT, 1903),
        forge("importance", -1, MOMENT, 1903),
        forge("importance", 5, 2**63 - 1, 1903),
    ],
    "search": [
        forge("search", 2**63, 0, 0, "1.0", 5),
        forge("search", 0, 2**31, 0, "1.0", 5),
        forge("search", 0, 0, 2**40, "1.0", 5),
        forge("search", 0, 0, 0, "1.0", 2**31),
        forge("search", 0, 0, 0, "1.0\x00", 5),
        forge("search", 0, 0, 0, "1" * 400, 5),
    ],
    "entities": [
        forge("entities", "a\x00", "b"),
        forge("entities", "a", "b\x00"),
        forge("entities", "a" * 300, "b"),
    ],
    "changes": [forge("changes", 2**63), forge("changes", -1), forge("changes", 2**62)],
}
ROUTES = [
    ("/v1/articles", {}, "newest", "cursor"),
    ("/v1/articles", {"order": "importance"}, "importance", "cursor"),
    ("/v1/sources/wire/articles", {}, "newest", "cursor"),
    ("/v1/entities/acme/articles", {"order": "importance"}, "importance", "cursor"),
    ("/v1/search", {"q": "chip"}, "search", "cursor"),
    ("/v1/entities", {}, "entities", "cursor"),
    ("/v1/changes", {}, "changes", "since"),
    ("/v1/stream", {}, "changes", "since"),
]


@pytest.mark.parametrize(("path", "params", "kind", "name"), ROUTES)
async def test_a_tampered_cursor_is_a_400_naming_it(
    client: httpx.AsyncClient,
    writer: dict[str, str],
    path: str,
    params: dict[str, str],
    kind: str,
    name: str,
) -> None:
    await create(client, writer)  # pages to resume: source "wire", entity "acme"
    for cursor in TAMPERED[kind]:
        response = await client.get(path, params={**params, name: cursor})
        assert response.status_code == 400, (cursor, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [p["name"] for p in response.json()["invalid_params"]] == [name]


async def test_a_tampered_last_event_id_is_a_400_naming_it(client: httpx.AsyncClient) -> None:
    for cursor in TAMPERED["changes"]:
        response = await client.get("/v1/stream", headers={"Last-Event-ID": cursor})
        assert response.status_code == 400, response.text
        assert [p["name"] for p in response.json()["invalid_params"]] == ["Last-Event-ID"]
