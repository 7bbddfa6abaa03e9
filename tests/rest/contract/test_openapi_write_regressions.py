"""Regressions from fuzzing the write side: the published schema and the server agree.

Each test pins one disagreement schemathesis found (test_openapi_fuzz_writes.py, next to this).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from api.db.database import Database
from api.domain.catalog.inputs import EntityCreate
from api.rest.contract.openapi import openapi_document
from tests.fixtures.writes import create, key_headers, payload

pytestmark = pytest.mark.anyio
SCHEMAS = openapi_document()["components"]["schemas"]


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


def test_patch_schemas_do_not_offer_the_null_they_refuse() -> None:
    for model, field in [("SourceUpdate", "name"), ("EntityUpdate", "aliases"),
                         ("ArticleUpdate", "title"), ("ArticleUpdate", "source")]:  # fmt: skip
        prop = SCHEMAS[model]["properties"][field]
        assert "null" not in str(prop), (model, field, prop)
    # Fields that may be cleared keep their null.
    assert {"type": "null"} in SCHEMAS["ArticleUpdate"]["properties"]["author"]["anyOf"]


def test_blank_text_is_published_as_refused_exactly() -> None:
    # Pydantic strips Unicode White_Space; the published pattern must name the same set.
    pattern = SCHEMAS["EntityCreate"]["properties"]["name"]["pattern"]
    # So must the invisible format characters refused as blank alongside.
    invisible = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
    for text in [chr(code) for code in [0x9, 0x20, 0x85, 0xA0, 0x2028, 0x3000, 0x1C, 0x41]] + [
        *(chr(code) for code in invisible),
        "\u200b \ufeff\u2060",
        "\u200ba",
    ]:
        published = re.search(pattern, text) is not None
        try:
            EntityCreate.model_validate({"slug": "a", "name": text, "type": "company"})
            accepted = True
        except ValueError:
            accepted = False
        assert published == accepted, ascii(text)


def test_only_http_urls_are_published_as_accepted() -> None:
    # "about:blank" is a URI (format: uri) but not a URL the server takes.
    pattern = SCHEMAS["SourceCreate"]["properties"]["homepage_url"]["pattern"]
    for url in ["about:blank", "ftp://a.example/", "mailto:a@b.example", "HTTPS://A.example/"]:
        published = re.search(pattern, url) is not None
        try:
            EntityCreate.model_validate(
                {"slug": "a", "name": "A", "type": "company", "homepage_url": url}
            )
            accepted = True
        except ValueError:
            accepted = False
        assert published == accepted, url


def test_operations_link_to_what_a_client_does_next() -> None:
    paths = openapi_document()["paths"]
    created = paths["/v1/articles"]["post"]["responses"]["201"]["links"]
    assert set(created) == {"getArticle", "updateArticle", "replaceArticle", "deleteArticle"}
    assert created["updateArticle"]["parameters"] == {
        "path.key": "$response.body#/id",
        "header.If-Match": "$response.header.ETag",
    }
    gone = paths["/v1/articles/{key}"]["delete"]["responses"]["204"]["links"]
    assert gone == {
        "getArticle": {
            "operationId": "getArticle",
            "parameters": {"path.key": "$request.path.key"},
            "description": paths["/v1/articles/{key}"]["get"]["summary"],
        }
    }
    read = paths["/v1/sources/{slug}"]["get"]["responses"]["200"]["links"]
    assert set(read) == {"updateSource", "replaceSource", "deleteSource"}
    # A PUT body repeats the slug; the link makes it repeat the right one.
    assert read["replaceSource"]["requestBody"] == {"slug": "$response.body#/slug"}


async def test_an_overlong_if_match_is_a_bad_request(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    article = (await create(client, writer)).json()
    response = await client.patch(
        f"/v1/articles/{article['id']}",
        json={"importance": 9},
        headers={**writer, "If-Match": '"v1.' + "0" * 200 + '"'},
    )
    assert response.status_code == 400, response.text
    assert response.json()["invalid_params"][0]["name"] == "If-Match"


@pytest.mark.parametrize(
    ("field", "value"),
    [("importance", "7"), ("importance", True), ("sentiment_score", "0.5"),
     ("published_at", 0), ("published_at", 1767225600)],
)  # fmt: skip
async def test_numbers_and_dates_are_not_coerced(
    client: httpx.AsyncClient, writer: dict[str, str], field: str, value: Any
) -> None:
    response = await client.post("/v1/articles", json=payload(**{field: value}), headers=writer)
    assert response.status_code == 422, response.text
    assert response.json()["invalid_params"][0]["name"] == field


async def test_an_integral_float_is_an_integer(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    # JSON Schema counts 7.0 as an integer, so the server must too.
    response = await client.post("/v1/articles", json=payload(importance=7.0), headers=writer)
    assert response.status_code == 201, response.text
    assert response.json()["importance"] == 7


async def test_batch_atomic_must_be_a_boolean(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/articles:batch", json={"items": [payload()], "atomic": 0}, headers=writer
    )
    assert response.status_code == 422, response.text
    assert response.json()["invalid_params"][0]["name"] == "atomic"
    assert (await client.get("/v1/articles")).json()["items"] == []


async def test_a_write_route_401_names_its_scheme(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/articles", json=payload())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
