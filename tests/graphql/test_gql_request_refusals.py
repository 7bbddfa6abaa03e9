"""Requests refused before any GraphQL runs: each a 4xx GraphQL error body with a code.

Raw bytes, bodies over the limit, text no UTF-8 encoder takes, and documents whose
operation the request does not pick: none of them may become a 500 or run anything.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from api.graphql.limits.rules import MAX_BODY_BYTES
from tests.fixtures.graphql_corpus import Corpus
from tests.fixtures.graphql_errors import Json

pytestmark = pytest.mark.anyio

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON_BODY = {"content-type": "application/json"}
SLUG_QUERY = "query($s: String!) { entity(slug: $s) { slug } }"


def _error(response: httpx.Response, status: int, code: str, media_type: str) -> Json:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == media_type
    payload: Json = response.json()
    assert "data" not in payload
    (error,) = payload["errors"]
    assert error["extensions"]["code"] == code
    assert isinstance(error, dict)
    return error


@pytest.mark.parametrize(
    "raw",
    [
        b'{"query":"{__typename \xff}"}',
        b'{"query":"{ entity(slug: \\"\xed\xa0\x80\\") { slug } }"}',  # a surrogate as UTF-8
    ],
    ids=["invalid-byte", "encoded-surrogate"],
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_body_that_is_not_utf8_is_a_400(
    client: httpx.AsyncClient, corpus: Corpus, raw: bytes, accept: str
) -> None:
    headers = {**JSON_BODY, "accept": accept}
    response = await client.post("/graphql", content=raw, headers=headers)
    error = _error(response, 400, "BAD_REQUEST", accept)
    assert "not valid UTF-8" in error["message"]


async def test_json_nested_past_the_parser_is_a_400(
    client: httpx.AsyncClient, corpus: Corpus
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    raw = b'{"query": "{ __typename }", "variables": {"v": ' + deep + b"}}"
    response = await client.post("/graphql", content=raw, headers=JSON_BODY)
    _error(response, 400, "BAD_REQUEST", "application/json")


@pytest.mark.parametrize("name", ["123", "[1]", '{"a": 1}'])
async def test_an_operation_name_that_is_not_a_string_is_a_400(
    client: httpx.AsyncClient, corpus: Corpus, name: str
) -> None:
    raw = b'{"query": "{ __typename }", "operationName": ' + name.encode() + b"}"
    response = await client.post("/graphql", content=raw, headers=JSON_BODY)
    error = _error(response, 400, "BAD_REQUEST", "application/json")
    assert "operationName" in error["message"]


FILTERED = "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }"
# Half of a UTF-16 pair alone: json.dumps writes it as a `\ud800` escape, as a client would.
LONE_SURROGATES: list[tuple[str, Json, str]] = [
    ("operation-name", {"query": "{ __typename }", "operationName": "A\ud800"}, "operationName"),
    ("query", {"query": "{ __typename \ud800 }"}, "query"),
    ("query-literal", {"query": '{ entity(slug: "\ud800") { slug } }'}, "query"),
    ("slug-variable", {"query": SLUG_QUERY, "variables": {"s": "x\ud800"}}, "$s"),
    ("input-field-name", {"query": FILTERED, "variables": {"f": {"category\udc00": "ai"}}}, "$f"),
    ("list-item", {"query": FILTERED, "variables": {"f": {"entities": ["ok", "\udfff"]}}}, "$f"),
    ("variable-name", {"query": "{ __typename }", "variables": {"\ud800": 1}}, "variables"),
    ("extensions", {"query": "{ __typename }", "extensions": {"k": "\ud800"}}, "extensions"),
]


@pytest.mark.parametrize(
    ("body", "where"),
    [(body, where) for _name, body, where in LONE_SURROGATES],
    ids=[name for name, *_ in LONE_SURROGATES],
)
async def test_lone_surrogates_are_refused_at_the_door(
    client: httpx.AsyncClient, corpus: Corpus, body: Json, where: str
) -> None:
    raw = json.dumps(body).encode()
    assert raw.isascii() and b"\\u" in raw
    response = await client.post("/graphql", content=raw, headers=JSON_BODY)
    error = _error(response, 400, "BAD_USER_INPUT", "application/json")
    assert error["message"].startswith(f"{where}: ")
    assert "surrogate" in error["message"]


async def test_lone_surrogates_in_get_parameters_are_refused(
    client: httpx.AsyncClient, corpus: Corpus
) -> None:
    params = {"query": SLUG_QUERY, "variables": '{"s": "\\ud800"}'}
    response = await client.get("/graphql", params=params, headers={"accept": GRAPHQL_RESPONSE})
    error = _error(response, 400, "BAD_USER_INPUT", GRAPHQL_RESPONSE)
    assert error["message"].startswith("$s: ")


async def test_a_surrogate_pair_is_ordinary_text(client: httpx.AsyncClient, corpus: Corpus) -> None:
    raw = json.dumps({"query": SLUG_QUERY, "variables": {"s": "\U0001f600"}}).encode()
    assert b"\\ud83d\\ude00" in raw
    response = await client.post("/graphql", content=raw, headers=JSON_BODY)
    assert response.status_code == 200
    assert response.json() == {"data": {"entity": None}}


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_body_over_the_limit_is_a_413_graphql_error(
    client: httpx.AsyncClient, corpus: Corpus, accept: str
) -> None:
    body = {"query": "{ __typename }", "padding": "x" * MAX_BODY_BYTES}
    response = await client.post("/graphql", json=body, headers={"accept": accept})
    error = _error(response, 413, "PAYLOAD_TOO_LARGE", accept)
    assert "256 KiB" in error["message"]


async def test_a_streamed_body_is_counted_as_it_arrives(
    client: httpx.AsyncClient, corpus: Corpus
) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked
        yield b'{"query": "{ __typename }", "padding": "'
        for _ in range(MAX_BODY_BYTES // 4096 + 1):
            yield b"x" * 4096
        yield b'"}'

    response = await client.post("/graphql", content=chunks(), headers=JSON_BODY)
    assert "content-length" not in response.request.headers
    _error(response, 413, "PAYLOAD_TOO_LARGE", "application/json")
    # Just under the limit is read and run.
    fits = {"query": "{ __typename }", "padding": "x" * (MAX_BODY_BYTES - 100)}
    assert (await client.post("/graphql", json=fits)).json() == {"data": {"__typename": "Query"}}


TWO_QUERIES = "query A { __typename } query B { categories { slug } }"
MULTIPLE = "Must provide operation name if query contains multiple operations."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": TWO_QUERIES}, MULTIPLE),
        ({"query": TWO_QUERIES, "operationName": "C"}, "Unknown operation named 'C'."),
        ({"query": "query A { __typename }", "operationName": "B"}, "Unknown operation named 'B'."),
        ({"query": "fragment F on Query { __typename }"}, "Must provide an operation."),
    ],
    ids=["no-name", "unknown-name", "unknown-name-single", "no-operation"],
)
async def test_a_request_must_pick_one_operation(
    client: httpx.AsyncClient, corpus: Corpus, body: Json, message: str
) -> None:
    # A request error: 400 in the GraphQL media type, 200 in the legacy one, as for validation.
    strict = await client.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})
    error = _error(strict, 400, "OPERATION_RESOLUTION_FAILURE", GRAPHQL_RESPONSE)
    assert error["message"] == message
    legacy = await client.post("/graphql", json=body, headers={"accept": "application/json"})
    assert _error(legacy, 200, "OPERATION_RESOLUTION_FAILURE", "application/json") == error
    over_get = await client.get("/graphql", params=body, headers={"accept": "application/json"})
    assert _error(over_get, 200, "OPERATION_RESOLUTION_FAILURE", "application/json") == error


async def test_a_mutation_beside_a_query_runs_nothing_without_a_name(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    create = 'createSource(input: {slug: "desk", name: "Desk", homepageUrl: "https://d.example"})'
    query = (
        f'mutation M {{ {create} {{ __typename }} }} query Q {{ source(slug: "desk") {{ slug }} }}'
    )
    response = await client.post("/graphql", json={"query": query}, headers=writer)
    error = _error(response, 200, "OPERATION_RESOLUTION_FAILURE", "application/json")
    assert error["message"] == MULTIPLE
    read = await client.post("/graphql", json={"query": query, "operationName": "Q"})
    assert read.json() == {"data": {"source": None}}  # the mutation did not run
    named = await client.post(
        "/graphql", json={"query": query, "operationName": "M"}, headers=writer
    )
    assert named.json() == {"data": {"createSource": {"__typename": "SourceMutationSuccess"}}}


async def test_a_named_operation_of_several_runs(client: httpx.AsyncClient, corpus: Corpus) -> None:
    response = await client.post("/graphql", json={"query": TWO_QUERIES, "operationName": "A"})
    assert response.json() == {"data": {"__typename": "Query"}}
