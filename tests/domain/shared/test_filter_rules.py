"""The feed filter's rules are the domain's: REST and GraphQL accept and refuse alike.

Each case is one value for one filter field, sent through both doors: the REST feed's
query parameter and GraphQL's ``articles(filter:)``. Both must agree on whether it is
valid, and a refusal must name the field (400 problem / ``BAD_USER_INPUT``).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.domain.shared import MAX_FILTER_ENTITIES

QUERY = "query($filter: ArticleFilter) { articles(filter: $filter, first: 1) { totalCount } }"

# (REST parameter, GraphQL field, value, valid?)
CASES: list[tuple[str, str, Any, bool]] = [
    ("category", "category", "markets", True),
    ("category", "category", "Bad_Slug", False),
    ("source", "source", "a" * 120, True),
    ("source", "source", "a" * 121, False),
    ("source", "source", "double--hyphen", False),
    ("importance_min", "importanceMin", 1, True),
    ("importance_min", "importanceMin", 0, False),
    ("importance_max", "importanceMax", 10, True),
    ("importance_max", "importanceMax", 11, False),
    ("entity", "entities", [f"e{i}" for i in range(MAX_FILTER_ENTITIES)], True),
    ("entity", "entities", [f"e{i}" for i in range(MAX_FILTER_ENTITIES + 1)], False),
    ("exclude_entity", "excludeEntities", ["ok", "Not Ok"], False),
    # The language rule is the article input's: any tag an article can carry is filterable.
    ("language", "language", "en", True),
    ("language", "language", "EN-gb", True),
    ("language", "language", "pt-BR-x1", True),
    ("language", "language", "e", False),
    ("language", "language", "en-" + "a" * 14, False),  # 17 characters: longer than stored
    ("language", "language", "en_US", False),
    ("published_after", "publishedAfter", "2026-01-01T00:00:00Z", True),
    ("published_after", "publishedAfter", "2026-01-01T00:00:00+02:00", True),
    ("published_before", "publishedBefore", "2026-01-01T00:00:00", False),  # naive
]


def _case_id(case: tuple[str, str, Any, bool]) -> str:
    rest, _, value, valid = case
    shown = f"{len(value)} items" if isinstance(value, list) else str(value)[:24]
    return f"{rest}={shown}-{'valid' if valid else 'refused'}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
async def test_both_doors_apply_the_same_rule(
    client: httpx.AsyncClient, case: tuple[str, str, Any, bool]
) -> None:
    rest_name, gql_name, value, valid = case

    rest = await client.get("/v1/articles", params={rest_name: value, "limit": 1})
    gql = await client.post(
        "/graphql", json={"query": QUERY, "variables": {"filter": {gql_name: value}}}
    )
    body = gql.json()

    if valid:
        assert rest.status_code == 200, rest.text
        assert "errors" not in body, body
        assert body["data"]["articles"]["totalCount"] == 0
        return
    assert rest.status_code == 400, rest.text
    problem = rest.json()
    assert [p["name"] for p in problem["invalid_params"]] == [rest_name], problem
    assert body["data"] is None or body["data"]["articles"] is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == f"filter.{gql_name}", error
