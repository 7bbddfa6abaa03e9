"""`changes` on Query: the REST changes log through GraphQL, with the same cursors."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from api.db.database import Database
from tests.fixtures.graphql_writes import CREATE, DELETE, UPDATE, mutate, post, to_input
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio

CHANGES = """query($since: String, $first: Int) {
  changes(since: $since, first: $first) {
    items { seq resource op id version at storyId } nextCursor
  }
}"""


async def gql_page(client: httpx.AsyncClient, since: str | None, first: int) -> dict[str, Any]:
    result = await post(client, CHANGES, {"since": since, "first": first})
    assert "errors" not in result, result
    page: dict[str, Any] = result["data"]["changes"]
    return page


def as_rest(item: dict[str, Any]) -> dict[str, Any]:
    rest = {key: value for key, value in item.items() if key != "storyId"}
    lower = {"resource": item["resource"].lower(), "op": item["op"].lower()}
    return rest | lower | {"story_id": item["storyId"]}


async def seed(client: httpx.AsyncClient, writer: dict[str, str]) -> list[str]:
    ids = []
    for n in range(3):
        created = await mutate(
            client, CREATE, writer, input=to_input(payload(url=f"https://news.example/{n}"))
        )
        ids.append(created["article"]["articleId"])
    await mutate(client, UPDATE, writer, id=ids[0], v=1, input={"title": "Moved on"})
    await mutate(client, DELETE, writer, id=ids[1])
    return ids


async def test_changes_read_the_same_through_both_doors(
    client: httpx.AsyncClient, database: Database
) -> None:
    await seed(client, await key_headers(database))
    rest = (await client.get("/v1/changes", params={"limit": 1000})).json()
    graphql = await gql_page(client, None, 1000)
    assert [as_rest(item) for item in graphql["items"]] == rest["items"]
    assert graphql["nextCursor"] == rest["next_cursor"]
    assert [(i["resource"], i["op"]) for i in rest["items"]][-3:] == [
        ("article", "created"),
        ("article", "updated"),
        ("article", "deleted"),
    ]


async def test_cursors_are_interchangeable(client: httpx.AsyncClient, database: Database) -> None:
    await seed(client, await key_headers(database))
    everything = (await client.get("/v1/changes", params={"limit": 1000})).json()["items"]
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    for turn in range(20):  # alternate doors, three entries a time
        if turn % 2:
            response = await client.get(
                "/v1/changes", params={"limit": 3} | ({"since": cursor} if cursor else {})
            )
            page = response.json()
            items, cursor = page["items"], page["next_cursor"]
        else:
            gql = await gql_page(client, cursor, 3)
            items, cursor = [as_rest(i) for i in gql["items"]], gql["nextCursor"]
        seen.extend(items)
        if not items:
            break
    assert seen == everything
    # Nothing new: the same cursor comes back, so a client keeps its place.
    assert (await gql_page(client, cursor, 5)) == {"items": [], "nextCursor": cursor}


async def test_bad_arguments_are_input_errors(client: httpx.AsyncClient) -> None:
    for variables, argument in (
        ({"since": "not-a-cursor"}, "since"),
        ({"since": "WyJmZWVkIiwzXQ"}, "since"),  # another kind of cursor
        ({"first": 0}, "first"),
        ({"first": 1001}, "first"),
    ):
        result = await post(client, CHANGES, variables)
        assert result["data"] is None, result  # `changes` is non-null
        (error,) = result["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["argument"] == argument


async def test_replaying_changes_rebuilds_the_store(
    client: httpx.AsyncClient, database: Database
) -> None:
    """Random writes through GraphQL; a mirror fed only by `changes` ends equal to REST."""
    writer = await key_headers(database)
    rng = random.Random(6)
    live: dict[str, int] = {}
    mirror: dict[str, int] = {}
    cursor: str | None = None
    for step in range(30):
        choice = rng.random()
        if not live or choice < 0.4:
            url = f"https://news.example/{step}"
            result = await mutate(client, CREATE, writer, input=to_input(payload(url=url)))
            live[result["article"]["articleId"]] = 1
        elif choice < 0.8:
            key = rng.choice(sorted(live))
            change = {"importance": rng.randint(1, 10), "title": f"Step {step}"}
            result = await mutate(client, UPDATE, writer, id=key, v=live[key], input=change)
            live[key] = result["version"]
        else:
            key = rng.choice(sorted(live))
            await mutate(client, DELETE, writer, id=key, v=live.pop(key))
        if rng.random() < 0.3:  # poll now and then, a few entries at a time
            while True:
                page = await gql_page(client, cursor, 4)
                for item in page["items"]:
                    if item["resource"] != "ARTICLE":
                        continue
                    if item["op"] == "DELETED":
                        mirror.pop(item["id"], None)
                    else:
                        mirror[item["id"]] = item["version"]
                cursor = page["nextCursor"]
                if not page["items"]:
                    break
    page = await gql_page(client, cursor, 1000)
    for item in page["items"]:
        if item["resource"] == "ARTICLE":
            if item["op"] == "DELETED":
                mirror.pop(item["id"], None)
            else:
                mirror[item["id"]] = item["version"]
    assert mirror == live
    for key, version in live.items():
        assert (await client.get(f"/v1/articles/{key}")).json()["version"] == version
