"""Query.search: hits, typed errors for bad input, filters, paging, parity with REST."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.db.database import Database
from tests.fixtures.graphql_errors import Gql, Json, codes
from tests.fixtures.search_corpus import HARBOR_MATCHES, NASTY_QUERIES, seed

SEARCH = """
query Search($q: String!, $filter: ArticleFilter, $first: Int, $after: String) {
  search(query: $q, filter: $filter, first: $first, after: $after) {
    edges { cursor score snippet node { articleId slug title } }
    nodes { slug }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
async def seeded(app: Any) -> None:
    database: Database = app.state.db
    await seed(database)


async def search(gql: Gql, q: str, **variables: Any) -> Json:
    payload = await gql(SEARCH, {"q": q, **variables})
    assert "errors" not in payload, payload
    result: Json = payload["data"]["search"]
    return result


async def slugs(gql: Gql, q: str, **variables: Any) -> list[str]:
    return [edge["node"]["slug"] for edge in (await search(gql, q, **variables))["edges"]]


async def test_edges_carry_score_snippet_and_article(gql: Gql, seeded: None) -> None:
    result = await search(gql, '"export ban"')
    edges = result["edges"]
    assert [e["node"]["slug"] for e in edges] == ["title-phrase", "analysis-phrase"]
    assert [n["slug"] for n in result["nodes"]] == ["title-phrase", "analysis-phrase"]
    assert edges[0]["score"] > edges[1]["score"] > 0
    assert "<mark>export ban</mark>" in edges[1]["snippet"]
    assert result["pageInfo"] == {"hasNextPage": False, "endCursor": edges[1]["cursor"]}


async def test_syntax_and_filters(gql: Gql, seeded: None) -> None:
    assert set(await slugs(gql, "giraffe OR okapi")) == {"giraffe", "okapi", "poacher"}
    assert await slugs(gql, "giraffe -poacher") == ["giraffe"]
    assert await slugs(gql, "giraffe OR okapi", filter={"category": "markets"}) == ["okapi"]
    assert await slugs(gql, "giraffe OR okapi", filter={"entities": ["acme"]}) == ["giraffe"]
    assert set(await slugs(gql, "giraffe OR okapi", filter={"importanceMin": 6})) == {
        "giraffe",
        "poacher",
    }


async def test_no_match_is_an_empty_connection(gql: Gql, seeded: None) -> None:
    result = await search(gql, "xylophone")
    assert result["edges"] == [] and result["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": None,
    }


async def test_paging_returns_every_hit_once(gql: Gql, seeded: None) -> None:
    seen: list[str] = []
    scores: list[float] = []
    after = None
    while True:
        result = await search(gql, "harbor", first=4, after=after)
        seen += [e["node"]["slug"] for e in result["edges"]]
        scores += [e["score"] for e in result["edges"]]
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert len(seen) == HARBOR_MATCHES == len(set(seen))
    assert scores == sorted(scores, reverse=True)


async def test_an_edge_cursor_resumes_after_that_edge(gql: Gql, seeded: None) -> None:
    whole = (await search(gql, "harbor", first=10))["edges"]
    resumed = (await search(gql, "harbor", first=5, after=whole[4]["cursor"]))["edges"]
    assert [e["node"]["slug"] for e in resumed] == [e["node"]["slug"] for e in whole[5:]]


@pytest.mark.parametrize("q", NASTY_QUERIES)
async def test_nasty_queries_are_data_or_bad_user_input(gql: Gql, seeded: None, q: str) -> None:
    payload = await gql(SEARCH, {"q": q})
    if "errors" in payload:
        assert codes(payload) == ["BAD_USER_INPUT"], payload
        # The endpoint refuses NUL bytes in variables before execution, naming the variable.
        assert payload["errors"][0]["extensions"]["argument"] in ("query", "$q")
    else:
        assert isinstance(payload["data"]["search"]["edges"], list)


async def test_a_lone_surrogate_is_bad_user_input(client: httpx.AsyncClient, seeded: None) -> None:
    # JSON can escape a lone surrogate, which no database can store or search for: the
    # endpoint refuses the request before it runs.
    body = json.dumps({"query": SEARCH, "variables": {"q": "harbor \ud800"}})
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_USER_INPUT"]
    assert response.json()["errors"][0]["message"].startswith("$q: ")


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"q": "harbor", "after": "WyJuZXdlc3QiLDE3OTMzOTY4MjEwMDAwMDAsMjk5XQ"}, "after"),
        ({"q": "harbor", "first": 0}, "first"),
        ({"q": "-harbor"}, "query"),
    ],
)
async def test_bad_arguments_are_named(
    gql: Gql, seeded: None, variables: Json, argument: str
) -> None:
    payload = await gql(SEARCH, variables)
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["errors"][0]["extensions"]["argument"] == argument


@pytest.mark.parametrize("q", ['"export ban"', "harbor", "giraffe OR okapi -poacher"])
async def test_rest_and_graphql_agree(
    gql: Gql, client: httpx.AsyncClient, seeded: None, q: str
) -> None:
    rest = (await client.get("/v1/search", params={"q": q, "limit": 50})).json()["items"]
    edges = (await search(gql, q, first=50))["edges"]
    assert [h["article"]["id"] for h in rest] == [e["node"]["articleId"] for e in edges]
    assert rest  # the comparison means something only with hits
    # Each door anchors recency at its own request instant: equal up to that drift.
    for hit, edge in zip(rest, edges, strict=True):
        assert edge["score"] == pytest.approx(hit["score"], rel=1e-6)
        assert edge["snippet"] == hit["snippet"]
