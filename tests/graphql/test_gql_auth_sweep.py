"""The auth sweep: every Mutation field, found by introspection, is refused without a write key.

Arguments are made up from the schema's own types, so a mutation added later is swept
without touching this file: it must answer UNAUTHENTICATED without a key and FORBIDDEN
with a read key (as ``MutationError`` members), and write nothing either way.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.db.database import Database
from api.models import KeyScope
from tests.fixtures.graphql_writes import post
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
INTROSPECTION = f"""{{
  __schema {{
    mutationType {{ fields {{ name args {{ name type {{ {TYPE_REF} }} }} type {{ {TYPE_REF} }} }} }}
    types {{
      name kind isOneOf
      inputFields {{ name type {{ {TYPE_REF} }} }}
      enumValues {{ name }}
      possibleTypes {{ name }}
    }}
  }}
}}"""
SCALARS = {
    "String": '"x"',
    "ID": '"x"',
    "Int": "1",
    "Float": "0.5",
    "Boolean": "false",
    "DateTime": '"2026-01-01T00:00:00Z"',
}


class Literals:
    """GraphQL literals for any input type of the schema: just enough to pass validation."""

    def __init__(self, types: list[dict[str, Any]]) -> None:
        self.types = {t["name"]: t for t in types}

    def value(self, ref: dict[str, Any]) -> str:
        if ref["kind"] == "NON_NULL":
            return self.value(ref["ofType"])
        if ref["kind"] == "LIST":
            return "[]"
        named = self.types[ref["name"]]
        if named["kind"] == "SCALAR":
            return SCALARS[named["name"]]
        if named["kind"] == "ENUM":
            return str(named["enumValues"][0]["name"])
        fields = named["inputFields"]
        if named["isOneOf"]:  # exactly one field, given
            fields = fields[:1]
        else:
            fields = [f for f in fields if f["type"]["kind"] == "NON_NULL"]
        return "{" + ", ".join(f"{f['name']}: {self.value(f['type'])}" for f in fields) + "}"


def unwrap(ref: dict[str, Any]) -> dict[str, Any]:
    return unwrap(ref["ofType"]) if ref["ofType"] is not None else ref


async def sweep_documents(client: httpx.AsyncClient) -> dict[str, str]:
    """One document per Mutation field, its required arguments made up from their types."""
    schema = (await post(client, INTROSPECTION))["data"]["__schema"]
    literals = Literals(schema["types"])
    types = {t["name"]: t for t in schema["types"]}
    documents = {}
    for field in schema["mutationType"]["fields"]:
        result = unwrap(field["type"])
        members = {t["name"] for t in types[result["name"]]["possibleTypes"] or ()}
        # Every mutation answers a union with MutationError: that is where refusals go.
        assert field["type"]["kind"] == "NON_NULL", field["name"]
        assert "MutationError" in members, field["name"]
        args = [
            f"{a['name']}: {literals.value(a['type'])}"
            for a in field["args"]
            if a["type"]["kind"] == "NON_NULL"
        ]
        call = f"{field['name']}({', '.join(args)})" if args else field["name"]
        documents[field["name"]] = (
            f"mutation {{ {call} {{ __typename ... on MutationError {{ code }} }} }}"
        )
    return documents


async def outcomes(
    client: httpx.AsyncClient, documents: dict[str, str], headers: dict[str, str]
) -> dict[str, str]:
    found = {}
    for name, document in documents.items():
        payload = await post(client, document, headers=headers)
        assert "errors" not in payload, (name, json.dumps(payload))
        result = payload["data"][name]
        found[name] = result.get("code") or result["__typename"]
    return found


async def test_every_mutation_needs_a_write_key(
    client: httpx.AsyncClient, database: Database
) -> None:
    documents = await sweep_documents(client)
    assert len(documents) >= 13  # articles x4, batch, sources x4, entities x4
    anonymous = await outcomes(client, documents, {})
    assert anonymous == dict.fromkeys(documents, "UNAUTHENTICATED")
    reader = await outcomes(client, documents, await key_headers(database, KeyScope.READ))
    assert reader == dict.fromkeys(documents, "FORBIDDEN")
    assert (await client.get("/v1/changes")).json()["items"] == []
    # A write key passes the guard (the made-up arguments then fail on their merits).
    writer = await outcomes(client, documents, await key_headers(database, KeyScope.WRITE))
    assert not {"UNAUTHENTICATED", "FORBIDDEN"} & set(writer.values()), writer


async def test_a_wrong_key_is_refused_before_graphql(client: httpx.AsyncClient) -> None:
    documents = await sweep_documents(client)
    bogus = {"Authorization": "Bearer bsk_aaaaaaaaaaaa_" + "a" * 43}
    for document in documents.values():
        response = await client.post("/graphql", json={"query": document}, headers=bogus)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
