"""Helpers for the GraphQL write tests: REST payloads as GraphQL inputs, keyed posts."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.graphql.gql_support import Json

ARTICLE_FIELDS = """
  __typename
  ... on ArticleMutationSuccess {
    version
    article { id articleId slug title url author version importance source { slug }
              category { slug } mentions { salience entity { slug } } analysis }
  }
  ... on MutationError { code message field invalidParams { name reason } }
"""
ERROR_FIELDS = "... on MutationError { code message field invalidParams { name reason } }"
CREATE = (
    f"mutation($input: ArticleInput!) {{ createArticle(input: $input) {{ {ARTICLE_FIELDS} }} }}"
)
UPDATE = (
    "mutation($id: String!, $v: Int!, $input: ArticleUpdateInput!) {"
    f" updateArticle(id: $id, expectedVersion: $v, input: $input) {{ {ARTICLE_FIELDS} }} }}"
)
REPLACE = (
    "mutation($id: String!, $v: Int!, $input: ArticleInput!) {"
    f" replaceArticle(id: $id, expectedVersion: $v, input: $input) {{ {ARTICLE_FIELDS} }} }}"
)
DELETE = (
    "mutation($id: String!, $v: Int) { deleteArticle(id: $id, expectedVersion: $v) {"
    f" __typename ... on DeleteSuccess {{ id }} {ERROR_FIELDS} }} }}"
)
_SNAKE = re.compile(r"_([a-z])")
_REFS = ("source", "category", "entity")
_ENUMS = ("type", "sentiment", "kind")


def _camel(name: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


def to_input(value: Any, name: str = "") -> Any:
    """A REST body as GraphQL input: camelCase, refs as ``{slug}``/``{inline}``, enum names."""
    if isinstance(value, list):
        return [to_input(item) for item in value]
    if name in _REFS and isinstance(value, str | dict):
        return {"slug": value} if isinstance(value, str) else {"inline": to_input(value)}
    if name in _ENUMS and isinstance(value, str):
        return value.upper()
    if isinstance(value, dict):
        return {_camel(k): to_input(v, k) for k, v in value.items()}
    return value


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: Json | None = None,
    headers: dict[str, str] | None = None,
) -> Json:
    body: Json = {"query": query, "variables": variables or {}}
    response = await client.post("/graphql", json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    payload: Json = response.json()
    for error in payload.get("errors", []):
        assert "code" in error.get("extensions", {}), error
    return payload


async def mutate(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any
) -> Json:
    """The single mutation field's result (the request must have no top-level errors)."""
    payload = await post(client, query, variables, headers)
    assert "errors" not in payload, payload
    (result,) = payload["data"].values()
    assert isinstance(result, dict)
    return result
