"""REST and GraphQL are two doors onto one domain: same filters, same articles, same values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.fixtures.databases import all_pages
from tests.fixtures.story_rows import corpus_articles, write_stories

GQL_FIELDS = """
  articleId slug title url author publishedAt updatedAt imageUrl imageCredit sentiment
  sentimentScore importance summary language version
  source { slug name homepageUrl feedUrl logoUrl } category { slug name icon }
  mentions { salience sentiment entity { slug name type } }
  story { storyId size firstPublishedAt sources { slug name } }
"""
FEED_QUERY = (
    "query Feed($filter: ArticleFilter, $order: ArticleOrder, $first: Int, $after: String) {"
    " articles(filter: $filter, orderBy: $order, first: $first, after: $after) {"
    " pageInfo { hasNextPage endCursor } nodes {" + GQL_FIELDS + "} } }"
)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _from_graphql(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL node in the REST feed item's shape (enums lower-case, snake_case keys)."""
    return {
        "id": node["articleId"],
        "slug": node["slug"],
        "title": node["title"],
        "url": node["url"],
        "author": node["author"],
        "published_at": node["publishedAt"],
        "updated_at": node["updatedAt"],
        "image_url": node["imageUrl"],
        "image_credit": node["imageCredit"],
        "sentiment": _lower(node["sentiment"]),
        "sentiment_score": node["sentimentScore"],
        "importance": node["importance"],
        "summary": node["summary"],
        "language": node["language"],
        "version": node["version"],
        "source": {
            "slug": node["source"]["slug"],
            "name": node["source"]["name"],
            "homepage_url": node["source"]["homepageUrl"],
            "feed_url": node["source"]["feedUrl"],
            "logo_url": node["source"]["logoUrl"],
        },
        "category": node["category"],
        "entities": [
            {
                "slug": m["entity"]["slug"],
                "name": m["entity"]["name"],
                "type": m["entity"]["type"].lower(),
                "salience": m["salience"],
                "sentiment": _lower(m["sentiment"]),
            }
            for m in node["mentions"]
        ],
        "story": _story_from_graphql(node["story"]),
    }


def _story_from_graphql(story: dict[str, Any] | None) -> dict[str, Any] | None:
    if story is None:
        return None
    return {
        "id": story["storyId"],
        "size": story["size"],
        "first_published_at": story["firstPublishedAt"],
        "sources": story["sources"],
    }


async def _graphql_all(
    client: httpx.AsyncClient, gql_filter: dict[str, Any], order: str
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"filter": gql_filter, "order": order, "first": 17, "after": after}
        response = await client.post("/graphql", json={"query": FEED_QUERY, "variables": variables})
        body = response.json()
        assert "errors" not in body, body
        connection = body["data"]["articles"]
        nodes.extend(_from_graphql(node) for node in connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


STORIES_QUERY = """query Stories($filter: ArticleFilter, $minSize: Int, $after: String) {
  stories(filter: $filter, minSize: $minSize, first: 7, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { storyId size sourceCount firstPublishedAt lastPublishedAt updatedAt
      headline { articleId slug title url publishedAt source { slug name } }
      sources { slug name } topEntities { weight entity { slug name type } } } } }"""


def _story_node(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL story in REST's shape."""
    headline = node["headline"]
    return {
        "id": node["storyId"],
        "size": node["size"],
        "source_count": node["sourceCount"],
        "first_published_at": node["firstPublishedAt"],
        "last_published_at": node["lastPublishedAt"],
        "updated_at": node["updatedAt"],
        "headline": None
        if headline is None
        else {
            "id": headline["articleId"],
            "slug": headline["slug"],
            "title": headline["title"],
            "url": headline["url"],
            "published_at": headline["publishedAt"],
            "source": headline["source"],
        },
        "sources": node["sources"],
        "top_entities": [
            {
                "slug": e["entity"]["slug"],
                "name": e["entity"]["name"],
                "type": e["entity"]["type"].lower(),
                "weight": e["weight"],
            }
            for e in node["topEntities"]
        ],
    }


async def _graphql_stories(
    client: httpx.AsyncClient, gql_filter: dict[str, Any], min_size: int
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"filter": gql_filter, "minSize": min_size, "after": after}
        response = await client.post(
            "/graphql", json={"query": STORIES_QUERY, "variables": variables}
        )
        body = response.json()
        assert "errors" not in body, body
        connection = body["data"]["stories"]
        nodes.extend(_story_node(node) for node in connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def test_rest_and_graphql_return_the_same_stories(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    ids = corpus_articles(sync_engine)
    write_stories(sync_engine, [ids[0:3], ids[5:7], ids[30:34], *([i] for i in ids[50:60])])
    first = (await client.get("/v1/articles", params={"limit": 1})).json()["items"][0]
    cases: list[tuple[dict[str, Any], dict[str, Any], int]] = [
        ({}, {}, 2),
        ({"min_size": 1}, {}, 1),
        (
            {"source": first["source"]["slug"], "min_size": 1},
            {"source": first["source"]["slug"]},
            1,
        ),
        ({"importance_min": 6}, {"importanceMin": 6}, 2),
    ]
    for rest, gql, min_size in cases:
        via_rest = await all_pages(client, "/v1/stories", limit=7, **rest)
        via_graphql = await _graphql_stories(client, gql, min_size)
        assert via_graphql == via_rest
    assert len(await all_pages(client, "/v1/stories", min_size=1)) == 13


async def _popular_entities(client: httpx.AsyncClient) -> list[str]:
    items = (await client.get("/v1/articles", params={"limit": 100})).json()["items"]
    counts: dict[str, int] = {}
    for item in items:
        for entity in item["entities"]:
            counts[entity["slug"]] = counts.get(entity["slug"], 0) + 1
    return sorted(counts, key=lambda slug: (-counts[slug], slug))[:3]


@pytest.mark.parametrize(
    "case",
    [
        "everything",
        "bearish-important",
        "by-importance",
        "window",
        "entities-all",
        "entities-any-excluding",
        "category-and-source",
    ],
)
async def test_rest_and_graphql_return_the_same_articles(
    client: httpx.AsyncClient, corpus: int, case: str
) -> None:
    top = await _popular_entities(client)
    first = (await client.get("/v1/articles", params={"limit": 1})).json()["items"][0]
    rest: dict[str, Any] = {}
    gql: dict[str, Any] = {}
    order = "NEWEST"
    if case == "bearish-important":
        rest = {"sentiment": "bearish", "importance_min": 5}
        gql = {"sentiment": "BEARISH", "importanceMin": 5}
    elif case == "by-importance":
        rest, order = {"order": "importance", "importance_max": 8}, "IMPORTANCE"
        gql = {"importanceMax": 8}
    elif case == "window":
        rest = {
            "published_after": "2026-08-01T00:00:00+00:00",
            "published_before": "2026-10-01T00:00:00+00:00",
        }
        gql = {
            "publishedAfter": rest["published_after"],
            "publishedBefore": rest["published_before"],
        }
    elif case == "entities-all":
        rest = {"entity": top[:2]}
        gql = {"entities": top[:2]}
    elif case == "entities-any-excluding":
        rest = {"entity": top[:2], "entity_mode": "any", "exclude_entity": top[2]}
        gql = {"entities": top[:2], "entityMode": "ANY", "excludeEntities": [top[2]]}
    elif case == "category-and-source":
        rest = {"source": first["source"]["slug"]}
        gql = {"source": first["source"]["slug"]}
        if first["category"]:
            rest["category"] = gql["category"] = first["category"]["slug"]
    via_rest = await all_pages(client, "/v1/articles", limit=17, **rest)
    via_graphql = await _graphql_all(client, gql, order)
    assert via_rest, "the case should select some articles"
    assert via_graphql == via_rest
