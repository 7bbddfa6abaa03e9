"""GraphQL stories on known groups: Query.stories/story, node(id:), Article.story and
Story.articles, the same values as REST's, statements that do not grow with the page."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from api.demo import generate_demo
from tests.fixtures.databases import recording_statements
from tests.fixtures.graphql_errors import Gql
from tests.fixtures.story_rows import Written, corpus_articles, write_stories

pytestmark = pytest.mark.anyio

STORY_FIELDS = """id storyId size sourceCount firstPublishedAt lastPublishedAt updatedAt
  headline { articleId title source { slug } }
  sources { slug name }
  topEntities { weight entity { slug name type } }"""
STORIES = (
    "query($first: Int, $after: String, $minSize: Int, $filter: ArticleFilter) {"
    " stories(first: $first, after: $after, minSize: $minSize, filter: $filter) {"
    " pageInfo { hasNextPage endCursor } edges { cursor node { " + STORY_FIELDS + " } } } }"
)
STORY = (
    "query($id: ID!) { story(id: $id) { "
    + STORY_FIELDS
    + """
  articles { score joinedAt article { articleId publishedAt source { slug name } }
    explanation { evidence matchedArticleId textSimilarity hoursApart
      sharedEntities { weight entity { slug } } } } } }"""
)
FEED_STORIES = """query($first: Int, $after: String) { articles(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor }
  nodes { articleId story { storyId size firstPublishedAt sources { slug name }
          articles { article { articleId } } } } } }"""


@pytest.fixture
def groups(sync_engine: Engine) -> list[Written]:
    generate_demo(sync_engine, articles=90, seed=5, if_empty=False, progress=False)
    ids = corpus_articles(sync_engine)
    # The newest articles tell a story too: every page size below meets one.
    groups = [ids[0:4], ids[10:13], ids[20:22], ids[-2:], *([i] for i in ids[40:50])]
    return write_stories(sync_engine, groups)


@pytest.fixture
def statements(app: Starlette) -> Iterator[list[str]]:
    log: list[str] = []

    def record(_where: str, statement: str) -> None:
        if statement.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            log.append(statement)

    with recording_statements(app.state.db, record):
        yield log


def _global(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


async def test_stories_page_through_each_once(gql: Gql, groups: list[Written]) -> None:
    for min_size, expected in ((None, groups[:4]), (1, groups)):
        seen: list[str] = []
        after = None
        while True:
            variables: dict[str, Any] = {"first": 3, "after": after}
            if min_size is not None:
                variables["minSize"] = min_size
            payload = await gql(STORIES, variables)
            assert "errors" not in payload, payload
            connection = payload["data"]["stories"]
            seen += [edge["node"]["storyId"] for edge in connection["edges"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        assert seen == [g.id for g in expected]


async def test_story_equals_rest(
    gql: Gql, client: httpx.AsyncClient, groups: list[Written]
) -> None:
    for written in groups[:4]:
        rest = (await client.get(f"/v1/stories/{written.id}")).json()
        for key in (written.id, _global("Story", written.id)):
            payload = await gql(STORY, {"id": key})
            assert "errors" not in payload, payload
            story = payload["data"]["story"]
            assert story["id"] == _global("Story", written.id)
            assert story["storyId"] == rest["id"] and story["size"] == rest["size"]
            assert story["sourceCount"] == rest["source_count"]
            assert story["firstPublishedAt"] == rest["first_published_at"]
            assert story["lastPublishedAt"] == rest["last_published_at"]
            assert story["headline"]["articleId"] == rest["headline"]["id"] == written.headline
            assert story["sources"] == rest["sources"]
            assert [
                {"slug": e["entity"]["slug"], "weight": e["weight"]} for e in story["topEntities"]
            ] == [{"slug": e["slug"], "weight": e["weight"]} for e in rest["top_entities"]]
            members = [
                {
                    "id": m["article"]["articleId"],
                    "score": m["score"],
                    "evidence": m["explanation"]["evidence"].lower(),
                    "matched": m["explanation"]["matchedArticleId"],
                    "shared": [s["entity"]["slug"] for s in m["explanation"]["sharedEntities"]],
                }
                for m in story["articles"]
            ]
            assert members == [
                {
                    "id": m["article"]["id"],
                    "score": m["score"],
                    "evidence": m["explanation"]["evidence"],
                    "matched": m["explanation"]["matched_article_id"],
                    "shared": [s["slug"] for s in m["explanation"]["shared_entities"]],
                }
                for m in rest["articles"]
            ]


async def test_node_and_unknown_ids(gql: Gql, groups: list[Written]) -> None:
    query = "query($id: ID!) { node(id: $id) { id ... on Story { size storyId } } }"
    payload = await gql(query, {"id": _global("Story", groups[0].id)})
    assert payload["data"]["node"] == {
        "id": _global("Story", groups[0].id),
        "size": 4,
        "storyId": groups[0].id,
    }
    unknown = _global("Story", "0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d")
    assert (await gql(query, {"id": unknown}))["data"]["node"] is None
    assert (await gql(STORY, {"id": unknown}))["data"]["story"] is None
    assert (await gql(STORY, {"id": "no-such-story"}))["data"]["story"] is None
    wrong = await gql(STORY, {"id": _global("Article", groups[0].headline)})
    assert wrong["data"]["story"] is None
    assert wrong["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"after": "bm9wZQ"}, "after"),
        ({"after": "WyJuZXdlc3QiLDEsMV0"}, "after"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"minSize": 0}, "minSize"),
        ({"filter": {"importanceMin": 11}}, "filter.importanceMin"),
    ],
)
async def test_bad_arguments_are_typed_errors(
    gql: Gql, groups: list[Written], variables: dict[str, Any], argument: str
) -> None:
    payload = await gql(STORIES, variables)
    assert payload["data"] is None
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert argument in error["message"] or argument in str(error["extensions"])


async def test_article_story_matches_rest_without_n_plus_one(
    gql: Gql, client: httpx.AsyncClient, groups: list[Written], statements: list[str]
) -> None:
    counts = []
    stories: dict[str, Any] = {}
    for first in (10, 90):
        statements.clear()
        payload = await gql(FEED_STORIES, {"first": first})
        assert "errors" not in payload, payload
        counts.append(len(statements))
        stories = {n["articleId"]: n["story"] for n in payload["data"]["articles"]["nodes"]}
    assert counts[0] == counts[1]
    rest = (await client.get("/v1/articles", params={"limit": 100})).json()["items"]
    assert len(rest) == len(stories) == 90
    for item in rest:
        story = stories[item["id"]]
        if item["story"] is None:
            assert story is None
            continue
        assert {
            "id": story["storyId"],
            "size": story["size"],
            "first_published_at": story["firstPublishedAt"],
            "sources": story["sources"],
        } == item["story"]
        assert item["id"] in [m["article"]["articleId"] for m in story["articles"]]
    assert sum(1 for s in stories.values() if s is not None) == 4 + 3 + 2 + 2


COLLAPSED = """query($after: String, $collapse: ArticleCollapse) {
  articles(first: 7, after: $after, collapse: $collapse) {
    pageInfo { hasNextPage endCursor } nodes { articleId } } }"""


async def test_collapsed_feed_equals_rest(
    gql: Gql, client: httpx.AsyncClient, groups: list[Written]
) -> None:
    """Every execution path (the SQL one would ignore the argument) pages the collapsed
    feed as REST does: each story once, by its headline."""
    for collapse in ("STORY", None):
        via_graphql: list[str] = []
        after = None
        while True:
            payload = await gql(COLLAPSED, {"after": after, "collapse": collapse})
            assert "errors" not in payload, payload
            connection = payload["data"]["articles"]
            via_graphql += [node["articleId"] for node in connection["nodes"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        params: dict[str, Any] = {"limit": 100, "fields": "id"}
        if collapse:
            params["collapse"] = "story"
        via_rest = [
            item["id"] for item in (await client.get("/v1/articles", params=params)).json()["items"]
        ]
        assert via_graphql == via_rest
        hidden = {a for g in groups for a in g.articles if a != g.headline}
        assert bool(hidden & set(via_graphql)) == (collapse is None)
