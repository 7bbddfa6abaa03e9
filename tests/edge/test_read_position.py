"""The changes-log position: what write answers carry, and how a request's is read back.

The write tests run on both backends without replicas (the header is there all the same,
the cookie only with replicas); routing by the position is proven against a real standby in
tests/db/test_replicas.py.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from api.db.database import Database
from api.db.replicas import POSITION_HEADER, parse_position
from api.edge.read_position import sent_position
from api.models import Change
from tests.fixtures.graphql_writes import to_input
from tests.fixtures.writes import create, payload

pytestmark = pytest.mark.anyio
CREATE = """mutation($input: ArticleInput!) { createArticle(input: $input) {
  __typename ... on ArticleMutationSuccess { position } } }"""
DELETE = "mutation($id: String!) { deleteArticle(id: $id) { ... on DeleteSuccess { position } } }"


@pytest.mark.parametrize(
    ("value", "position"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("0", 0),
        ("", None),
        ("-1", None),
        ("4.2", None),
        ("x", None),
        ("\uff11\uff12", None),  # fullwidth digits: str.isdigit() says yes
        ("9" * 20, None),
        (None, None),
    ],
)
def test_only_plain_numbers_are_positions(value: str | None, position: int | None) -> None:
    assert parse_position(value) == position


@pytest.mark.parametrize(
    ("headers", "position"),
    [
        ([(b"broadsheet-position", b"12")], 12),
        ([(b"cookie", b"a=1; broadsheet_position=9; b=2")], 9),
        # The header wins over the cookie, whichever comes first.
        ([(b"cookie", b"broadsheet_position=9"), (b"broadsheet-position", b"12")], 12),
        ([(b"cookie", b"a=1"), (b"cookie", b"broadsheet_position=5")], 5),
        ([(b"broadsheet-position", b"nope")], None),
        ([(b"cookie", b"broadsheet_positions=9")], None),
        ([], None),
    ],
)
def test_a_request_sends_its_position_by_header_or_cookie(
    headers: list[tuple[bytes, bytes]], position: int | None
) -> None:
    assert sent_position({"type": "http", "headers": headers}) == position


async def _last_seq(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.max(Change.seq)))).scalar_one())


async def test_rest_writes_answer_the_position_of_their_last_change(
    client: httpx.AsyncClient, database: Database, writer: dict[str, str]
) -> None:
    first = await create(client, writer, url="https://news.example/p/1")
    assert int(first.headers[POSITION_HEADER]) == await _last_seq(database)
    assert "set-cookie" not in first.headers  # no replicas: nothing for a browser to keep
    article_id = first.json()["id"]
    patched = await client.patch(
        f"/v1/articles/{article_id}",
        json={"title": "A new title"},
        headers={**writer, "If-Match": first.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    later = int(patched.headers[POSITION_HEADER])
    assert later == await _last_seq(database) and later > int(first.headers[POSITION_HEADER])
    deleted = await client.delete(f"/v1/articles/{article_id}", headers=writer)
    assert deleted.status_code == 204
    assert int(deleted.headers[POSITION_HEADER]) == await _last_seq(database)
    # An idempotent replay answers the same position as the first answer.
    keyed = {**writer, "Idempotency-Key": "position-replay"}
    body = payload("https://news.example/p/2")
    once = await client.post("/v1/articles", json=body, headers=keyed)
    again = await client.post("/v1/articles", json=body, headers=keyed)
    assert once.status_code == again.status_code == 201
    assert again.headers[POSITION_HEADER] == once.headers[POSITION_HEADER]


async def test_graphql_mutations_answer_the_position_in_result_and_header(
    client: httpx.AsyncClient, database: Database, writer: dict[str, str]
) -> None:
    variables = {"input": to_input(payload("https://news.example/p/3"))}
    created = await client.post(
        "/graphql", json={"query": CREATE, "variables": variables}, headers=writer
    )
    result = created.json()["data"]["createArticle"]
    assert result["__typename"] == "ArticleMutationSuccess", created.text
    assert result["position"] == created.headers[POSITION_HEADER]
    assert int(result["position"]) == await _last_seq(database)
    missing = await client.post(
        "/graphql",
        json={"query": DELETE, "variables": {"id": "no-such-article"}},
        headers=writer,
    )
    assert POSITION_HEADER not in missing.headers  # refused: nothing written, no position
