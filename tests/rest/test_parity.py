"""REST and GraphQL are two doors onto one domain: same filters, same articles, same values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.databases import all_pages

GQL_FIELDS = """
  articleId slug title url author publishedAt updatedAt imageUrl imageCredit sentiment
  sentimentScore importance summary language version
  source { slug name homepageUrl feedUrl logoUrl } category { slug name icon }
  mentions { salience sentiment entity { slug name type } }
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
