"""GraphQL mutations: the REST write path through the other door, with the same effects."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.db.database import Database
from tests.fixtures.graphql_writes import CREATE, DELETE, REPLACE, UPDATE, mutate, post, to_input
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio

SOURCE = (
    "__typename ... on SourceMutationSuccess { version source { slug name feedUrl } }"
    " ... on MutationError { code field }"
)
ENTITY = (
    "__typename ... on EntityMutationSuccess { version entity { slug name ticker mentionCount } }"
    " ... on MutationError { code field }"
)
GONE_OR_DONE = "__typename ... on DeleteSuccess { id } ... on MutationError { code message }"


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


async def create(client: httpx.AsyncClient, writer: dict[str, str], **kw: Any) -> dict[str, Any]:
    result = await mutate(client, CREATE, writer, input=to_input(payload(**kw)))
    assert result["__typename"] == "ArticleMutationSuccess", result
    article: dict[str, Any] = result["article"]
    return article


async def rest_changes(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/v1/changes", params={"limit": 1000})
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_article_lifecycle(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    article = await create(client, writer)
    assert (article["version"], article["source"]["slug"]) == (1, "wire")
    assert [m["entity"]["slug"] for m in article["mentions"]] == ["acme"]
    public_id = article["articleId"]

    updated = await mutate(client, UPDATE, writer, id=public_id, v=1, input={"title": "New"})
    assert updated["version"] == 2
    assert (updated["article"]["title"], updated["article"]["author"]) == ("New", "Desk")

    replacement = payload(url="https://news.example/moved", title="Replaced")
    del replacement["author"], replacement["mentions"]
    # The slug and the Relay global id address the article too.
    replaced = await mutate(
        client, REPLACE, writer, id=article["slug"], v=2, input=to_input(replacement)
    )
    assert replaced["version"] == 3, replaced
    assert replaced["article"]["url"] == "https://news.example/moved"
    assert (replaced["article"]["author"], replaced["article"]["mentions"]) == (None, [])
    rest = (await client.get(f"/v1/articles/{public_id}")).json()
    assert (rest["title"], rest["version"], rest["author"]) == ("Replaced", 3, None)

    deleted = await mutate(client, DELETE, writer, id=article["id"], v=3)
    assert deleted == {"__typename": "DeleteSuccess", "id": public_id}
    assert (await client.get(f"/v1/articles/{public_id}")).status_code == 410
    again = await mutate(client, UPDATE, writer, id=public_id, v=3, input={"title": "x"})
    assert again["code"] == "GONE"
    assert (await mutate(client, DELETE, writer, id=public_id))["code"] == "GONE"
    assert (await mutate(client, DELETE, writer, id="no-such-article"))["code"] == "NOT_FOUND"
    ops = [(c["resource"], c["op"], c["version"]) for c in await rest_changes(client)]
    assert ops[-4:] == [
        ("article", "created", 1),
        ("article", "updated", 2),
        ("article", "updated", 3),
        ("article", "deleted", 4),
    ]


async def test_a_deleted_article_reads_as_gone(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    """Decision: REST's 410 is, in GraphQL, `article: null` with a GONE error at its path;
    an id that never existed stays a plain null, and `node(id:)` is null either way."""
    article = await create(client, writer)
    await mutate(client, DELETE, writer, id=article["articleId"])
    query = "query($id: ID, $slug: String) { article(id: $id, slug: $slug) { title } }"
    for variables in (
        {"id": article["articleId"]},
        {"id": article["id"]},
        {"slug": article["slug"]},
    ):
        gone = await post(client, query, variables)
        assert gone["data"] == {"article": None}
        assert [(e["extensions"]["code"], e["path"]) for e in gone["errors"]] == [
            ("GONE", ["article"])
        ]
    missing = await post(client, query, {"id": "never-was"})
    assert missing == {"data": {"article": None}}
    node = await post(client, "query($id: ID!) { node(id: $id) { id } }", {"id": article["id"]})
    assert node == {"data": {"node": None}}


async def test_stale_expected_version_writes_nothing(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    article = await create(client, writer)
    before = await rest_changes(client)
    for query, variables in (
        (UPDATE, {"input": {"title": "Late"}}),
        (REPLACE, {"input": to_input(payload(title="Late"))}),
        (DELETE, {}),
    ):
        stale = await mutate(client, query, writer, id=article["articleId"], v=7, **variables)
        assert stale["code"] == "PRECONDITION_FAILED", stale
    rest = (await client.get(f"/v1/articles/{article['articleId']}")).json()
    assert (rest["title"], rest["version"]) == (article["title"], 1)
    assert await rest_changes(client) == before


async def test_invalid_input_comes_back_as_field_errors(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    def refused(result: dict[str, Any]) -> tuple[str, str | None]:
        assert result["__typename"] == "MutationError", result
        return result["code"], result["field"]

    cases: list[tuple[dict[str, Any], str]] = [
        (to_input(payload(importance=11)), "input.importance"),
        (
            to_input(payload(mentions=[{"entity": "acme", "salience": 2}])),
            "input.mentions[0].salience",
        ),
        (to_input(payload(published_at="2026-05-01T12:00:00")), "input.publishedAt"),
        (to_input(payload(source="no-such-source")), "input.source"),
        (to_input(payload(url="ftp://news.example/a")), "input.url"),
    ]
    for variables, field in cases:
        result = await mutate(client, CREATE, writer, input=variables)
        assert refused(result) == ("BAD_USER_INPUT", field), result
    article = await create(client, writer)
    duplicate = await mutate(client, CREATE, writer, input=to_input(payload()))
    assert refused(duplicate) == ("CONFLICT", None)
    nulled = await mutate(
        client, UPDATE, writer, id=article["articleId"], v=1, input={"title": None}
    )
    assert refused(nulled) == ("BAD_USER_INPUT", "input.title")
    wrong_node = await mutate(client, DELETE, writer, id="U291cmNlOndpcmU=")  # Source:wire
    assert refused(wrong_node) == ("NOT_FOUND", None)
    # A GraphQL type error (a missing required field) is a request error, as for any query.
    shape = await post(client, CREATE, {"input": {"title": "no url"}}, writer)
    assert shape["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(await rest_changes(client)) == 3  # source, entity, the one article


async def test_concurrent_updates_with_one_version_let_exactly_one_through(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    article = await create(client, writer)

    async def update(n: int) -> str:
        result = await mutate(
            client, UPDATE, writer, id=article["articleId"], v=1, input={"title": f"Title {n}"}
        )
        return str(result.get("code") or result["__typename"])

    outcomes = await asyncio.gather(*(update(n) for n in range(20)))
    assert sorted(outcomes) == ["ArticleMutationSuccess"] + ["PRECONDITION_FAILED"] * 19
    final = (await client.get(f"/v1/articles/{article['articleId']}")).json()
    assert final["version"] == 2


async def test_sources_and_entities(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    source = {"slug": "desk", "name": "The Desk", "homepageUrl": "https://desk.example"}
    create_source = f"mutation($i: SourceInput!) {{ createSource(input: $i) {{ {SOURCE} }} }}"
    created = await mutate(client, create_source, writer, i=source)
    assert (created["version"], created["source"]["name"]) == (1, "The Desk")
    assert (await mutate(client, create_source, writer, i=source))["code"] == "CONFLICT"
    update_source = (
        "mutation($v: Int!, $i: SourceUpdateInput!) {"
        f' updateSource(slug: "desk", expectedVersion: $v, input: $i) {{ {SOURCE} }} }}'
    )
    updated = await mutate(
        client, update_source, writer, v=1, i={"feedUrl": "https://desk.example/rss"}
    )
    assert (updated["version"], updated["source"]["feedUrl"]) == (2, "https://desk.example/rss")
    assert (await mutate(client, update_source, writer, v=1, i={"name": "X"}))["code"] == (
        "PRECONDITION_FAILED"
    )
    assert (await mutate(client, update_source, writer, v=2, i={"name": None}))["field"] == (
        "input.name"
    )
    replace_source = (
        "mutation($s: String!, $v: Int!, $i: SourceInput!) {"
        f" replaceSource(slug: $s, expectedVersion: $v, input: $i) {{ {SOURCE} }} }}"
    )
    moved = await mutate(client, replace_source, writer, s="desk", v=2, i=source | {"slug": "x"})
    assert (moved["code"], moved["field"]) == ("BAD_USER_INPUT", "input.slug")
    replaced = await mutate(client, replace_source, writer, s="desk", v=2, i=source)
    assert (replaced["version"], replaced["source"]["feedUrl"]) == (3, None)
    rest = (await client.get("/v1/sources/desk")).json()
    assert (rest["name"], rest["feed_url"]) == ("The Desk", None)

    await create(client, writer, source="desk")
    delete_source = f'mutation {{ deleteSource(slug: "desk") {{ {GONE_OR_DONE} }} }}'
    assert (await mutate(client, delete_source, writer))["code"] == "CONFLICT"

    entity = {"slug": "globex", "name": "Globex", "type": "COMPANY"}
    create_entity = f"mutation($i: EntityInput!) {{ createEntity(input: $i) {{ {ENTITY} }} }}"
    assert (await mutate(client, create_entity, writer, i=entity))["version"] == 1
    update_entity = (
        "mutation($v: Int!, $i: EntityUpdateInput!) {"
        f' updateEntity(slug: "acme", expectedVersion: $v, input: $i) {{ {ENTITY} }} }}'
    )
    acme = await mutate(client, update_entity, writer, v=1, i={"ticker": "ACME"})
    assert (acme["version"], acme["entity"]["ticker"], acme["entity"]["mentionCount"]) == (
        2,
        "ACME",
        1,
    )
    replace_entity = (
        "mutation($v: Int!, $i: EntityInput!) {"
        f' replaceEntity(slug: "globex", expectedVersion: $v, input: $i) {{ {ENTITY} }} }}'
    )
    globex = await mutate(client, replace_entity, writer, v=1, i=entity | {"name": "Globex Inc"})
    assert (globex["version"], globex["entity"]["name"]) == (2, "Globex Inc")
    delete_entity = (
        f'mutation {{ deleteEntity(slug: "acme", expectedVersion: 2) {{ {GONE_OR_DONE} }} }}'
    )
    assert await mutate(client, delete_entity, writer) == {
        "__typename": "DeleteSuccess",
        "id": "acme",
    }
    assert (await client.get("/v1/entities/acme")).status_code == 404
    log = [(c["resource"], c["op"], c["id"]) for c in await rest_changes(client)]
    # Deleting the entity moved the article that mentioned it on a version, as in REST.
    assert log[-2:] == [("article", "updated", log[-2][2]), ("entity", "deleted", "acme")]


async def test_a_failed_mutation_leaves_nothing_and_earlier_ones_stay(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    article = await create(client, writer)
    before = await rest_changes(client)
    # The second field fails half-way: the domain has already moved the article to its new
    # URL (flushed) when it finds the unknown source. Its savepoint takes that back.
    query = f"""mutation($id: String!) {{
      first: createSource(input: {{slug: "desk", name: "Desk", homepageUrl: "https://d.example"}})
        {{ {SOURCE} }}
      second: updateArticle(id: $id, expectedVersion: 1,
        input: {{url: "https://news.example/elsewhere", source: {{slug: "missing"}}}})
        {{ __typename ... on MutationError {{ code field }} }}
    }}"""
    result = await post(client, query, {"id": article["articleId"]}, writer)
    assert result["data"]["first"]["__typename"] == "SourceMutationSuccess"
    assert result["data"]["second"] == {
        "__typename": "MutationError",
        "code": "BAD_USER_INPUT",
        "field": "input.source",
    }
    assert (await client.get("/v1/sources/desk")).status_code == 200
    rest = (await client.get(f"/v1/articles/{article['articleId']}")).json()
    assert (rest["url"], rest["version"]) == ("https://news.example/a", 1)
    after = await rest_changes(client)
    assert [(c["resource"], c["op"], c["id"]) for c in after[len(before) :]] == [
        ("source", "created", "desk")
    ]


BATCH = """mutation($items: [ArticleInput!]!, $atomic: Boolean!) {
  upsertArticles(items: $items, atomic: $atomic) {
    __typename
    ... on UpsertArticlesSuccess {
      created updated unchanged errors
      items { index status id version invalidParams { name reason } }
    }
    ... on MutationError { code field invalidParams { name reason } }
  }
}"""


async def test_batch_upsert_non_atomic_and_atomic(
    client: httpx.AsyncClient, writer: dict[str, str]
) -> None:
    items = [to_input(payload(url=f"https://news.example/{n}")) for n in range(3)]
    items[1]["source"] = {"slug": "missing"}  # passes the type check, refused by the batch
    atomic = await mutate(client, BATCH, writer, items=items, atomic=True)
    assert (atomic["code"], atomic["field"]) == ("BAD_USER_INPUT", "items[1].source")
    assert await rest_changes(client) == []

    result = await mutate(client, BATCH, writer, items=items, atomic=False)
    assert (result["created"], result["errors"]) == (2, 1), result
    assert [i["status"] for i in result["items"]] == ["CREATED", "ERROR", "CREATED"]
    assert result["items"][1]["invalidParams"][0]["name"] == "items[1].source"
    rest = (await client.get(f"/v1/articles/{result['items'][2]['id']}")).json()
    assert rest["url"] == "https://news.example/2"

    items[1] = to_input(payload(url="https://news.example/1", importance=0))  # a field error
    items[2]["title"] = "Changed"
    again = await mutate(client, BATCH, writer, items=items, atomic=False)
    assert [i["status"] for i in again["items"]] == ["UNCHANGED", "ERROR", "UPDATED"]
    assert again["items"][1]["invalidParams"][0]["name"] == "items[1].importance"
    assert again["items"][2]["version"] == 2

    too_many = [to_input(payload(url=f"https://n.example/{n}", mentions=[])) for n in range(1001)]
    for item in too_many:
        item["source"] = {"slug": "wire"}
        del item["analysis"]
    refused = await mutate(client, BATCH, writer, items=too_many, atomic=False)
    assert (refused["code"], refused["field"]) == ("BAD_USER_INPUT", "items")
    articles = [c for c in await rest_changes(client) if c["resource"] == "article"]
    assert len(articles) == 3  # two created, one updated: nothing from the refused batches


async def test_rest_and_graphql_agree(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    through_graphql = await create(client, writer)
    rest = (await client.get(f"/v1/articles/{through_graphql['articleId']}")).json()
    assert (rest["id"], rest["slug"], rest["title"], rest["version"]) == (
        through_graphql["articleId"],
        through_graphql["slug"],
        through_graphql["title"],
        1,
    )
    response = await client.post(
        "/v1/articles", json=payload(url="https://news.example/rest"), headers=writer
    )
    assert response.status_code == 201
    by_rest = response.json()
    query = "query($id: ID!) { article(id: $id) { articleId slug title version source { slug } } }"
    read = (await post(client, query, {"id": by_rest["id"]}))["data"]["article"]
    assert read == {
        "articleId": by_rest["id"],
        "slug": by_rest["slug"],
        "title": by_rest["title"],
        "version": 1,
        "source": {"slug": "wire"},
    }
    # A write through one door is changed through the other with the version it reported.
    updated = await mutate(client, UPDATE, writer, id=by_rest["id"], v=1, input={"importance": 9})
    assert updated["article"]["importance"] == 9
    patched = await client.patch(
        f"/v1/articles/{through_graphql['articleId']}",
        json={"importance": 2},
        headers=writer
        | {"If-Match": (await client.get(f"/v1/articles/{rest['id']}")).headers["etag"]},
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2


async def test_mutations_refuse_get(client: httpx.AsyncClient, writer: dict[str, str]) -> None:
    query = 'mutation { deleteSource(slug: "wire") { __typename } }'
    response = await client.get("/graphql", params={"query": query}, headers=writer)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
