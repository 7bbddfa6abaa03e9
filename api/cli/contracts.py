"""The checked-in contracts, rendered from the code that serves them."""

from __future__ import annotations

from pathlib import Path

import orjson
import yaml


def openapi_yaml() -> str:
    from api.rest.contract.openapi import openapi_document

    # Round-trip through JSON so YAML holds only plain types (no enums, no tuples).
    document = orjson.loads(orjson.dumps(openapi_document()))
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def graphql_sdl() -> str:
    from api.graphql.schema import sdl

    return sdl().rstrip("\n") + "\n"


def ingest_schema_json() -> str:
    from api.domain.articles import ingest_json_schema

    return (
        orjson.dumps(
            ingest_json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        ).decode()
        + "\n"
    )


CONTRACTS = {
    "openapi.yaml": openapi_yaml,
    "schema/schema.graphql": graphql_sdl,
    "schema/ingest.schema.json": ingest_schema_json,
}


def write_contracts(root: Path) -> list[Path]:
    written = []
    for relative, render in CONTRACTS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written
