"""Article.related, Entity.relatedEntities and trendingEntities: GraphQL agrees with REST."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from starlette.applications import Starlette

from api.demo import generate_demo
from tests.fixtures.databases import recording_statements
from tests.fixtures.graphql_errors import Gql, codes

pytestmark = pytest.mark.anyio

RELATED = """query($id: ID!, $first: Int, $type: EntityType, $after: DateTime) {
  article(id: $id) { related(first: $first, entityType: $type, publishedAfter: $after) {
    score article { articleId }
    explanation { kind linkKind sharedEntities { contribution entity { slug name type } } } } } }"""


@pytest.fixture
def demo(sync_engine: Engine) -> list[str]:
    """The demo corpus; returns the public ids of a few articles with links and mentions."""
    generate_demo(sync_engine, articles=120, seed=5, if_empty=False, progress=False)
    with sync_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.public_id FROM articles a"
                " WHERE EXISTS (SELECT 1 FROM article_links l WHERE l.from_article_id = a.id)"
                " ORDER BY a.id DESC LIMIT 4"
            )
        )
        return [str(row[0]) for row in rows]


def _rest_as_graphql(item: dict[str, Any]) -> dict[str, Any]:
    explanation = item["explanation"]
    link_kind = explanation["link_kind"]
    return {
        "score": item["score"],
        "article": {"articleId": item["article"]["id"]},
        "explanation": {
            "kind": (link_kind or "shared_entities").upper(),
            "linkKind": link_kind.upper() if link_kind else None,
            "sharedEntities": [
                {
                    "contribution": s["contribution"],
                    "entity": {"slug": s["slug"], "name": s["name"], "type": s["type"].upper()},
                }
                for s in explanation["shared_entities"]
            ],
        },
    }


@pytest.mark.parametrize(
    "options",
    [{"limit": 10}, {"limit": 50, "entity_type": "company"}, {"limit": 20, "published_after": 1}],
)
async def test_rest_and_graphql_agree(
    gql: Gql, client: httpx.AsyncClient, demo: list[str], options: dict[str, Any]
) -> None:
    kinds: set[str] = set()
    for public_id in demo:
        params = dict(options)
        if "published_after" in params:
            article = (await client.get(f"/v1/articles/{public_id}")).json()
            params["published_after"] = article["published_at"]
        rest = (await client.get(f"/v1/articles/{public_id}/related", params=params)).json()
        variables = {
            "id": public_id,
            "first": params["limit"],
            "type": params.get("entity_type", "").upper() or None,
            "after": params.get("published_after"),
        }
        payload = await gql(RELATED, variables)
        assert "errors" not in payload, payload
        graph = payload["data"]["article"]["related"]
        assert graph == [_rest_as_graphql(item) for item in rest["items"]]
        kinds.update(i["explanation"]["kind"] for i in graph)
    assert "SHARED_ENTITIES" in kinds
    if "published_after" not in options:  # links point back in time: filtered out there
        assert len(kinds) > 1  # stored links compared too


@pytest.fixture
def statements(app: Starlette) -> Iterator[list[str]]:
    """SQL sent to the database; transaction control (SQLite's BEGIN) left out."""
    log: list[str] = []

    def record(_where: str, statement: str) -> None:
        if statement.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            log.append(statement)

    with recording_statements(app.state.db, record):
        yield log


async def test_a_feed_asking_related_is_batched(
    gql: Gql, demo: list[str], statements: list[str]
) -> None:
    query = """query($first: Int) { articles(first: $first) { nodes { slug
      related(first: 5) { score article { slug } explanation { kind
        sharedEntities { contribution entity { slug } } } } } } }"""
    counts = {}
    for first in (1, 20, 100):
        statements.clear()
        payload = await gql(query, {"first": first})
        assert "errors" not in payload
        nodes = payload["data"]["articles"]["nodes"]
        assert len(nodes) == first and any(node["related"] for node in nodes)
        counts[first] = len(statements)
    # page; related: seeds, links, candidates, headlines, targets (whatever the page size)
    assert counts[1] == counts[20] == counts[100] == 6, counts


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ("first: 51", "first"),
        ("first: 0", "first"),
        ('publishedAfter: "2026-11-01T00:00:00"', "publishedAfter"),
    ],
)
async def test_bad_arguments_are_coded(
    gql: Gql, demo: list[str], arguments: str, argument: str
) -> None:
    payload = await gql(f'{{ article(id: "{demo[0]}") {{ related({arguments}) {{ score }} }} }}')
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["errors"][0]["extensions"]["argument"] == argument


async def test_related_entities_and_trending_agree_with_rest(
    gql: Gql, client: httpx.AsyncClient, demo: list[str]
) -> None:
    entities = (await client.get("/v1/entities", params={"limit": 3})).json()["items"]
    for entity in entities:
        slug = entity["slug"]
        rest = (await client.get(f"/v1/entities/{slug}/related", params={"limit": 7})).json()
        payload = await gql(
            "query($slug: String!) { entity(slug: $slug) { "
            "relatedEntities(first: 7) { count entity { slug } } } }",
            {"slug": slug},
        )
        graph = payload["data"]["entity"]["relatedEntities"]
        assert graph == [
            {"count": i["count"], "entity": {"slug": i["entity"]["slug"]}} for i in rest["items"]
        ]
    for window, name in (("24h", "HOURS_24"), ("7d", "DAYS_7")):
        rest = (await client.get("/v1/entities/trending", params={"window": window})).json()
        payload = await gql(
            f"{{ trendingEntities(window: {name}, first: 20) "
            "{ currentCount previousCount growth entity { slug } } }"
        )
        assert payload["data"]["trendingEntities"] == [
            {
                "currentCount": i["current_count"],
                "previousCount": i["previous_count"],
                "growth": i["growth"],
                "entity": {"slug": i["entity"]["slug"]},
            }
            for i in rest["items"]
        ]
        assert rest["items"]
    bad = await gql("{ trendingEntities(window: DAYS_7, first: 51) { growth } }")
    assert codes(bad) == ["BAD_USER_INPUT"]
