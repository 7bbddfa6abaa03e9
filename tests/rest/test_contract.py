"""The REST contract: openapi.yaml is what the app serves, it is valid, and the app keeps it.

Schemathesis fuzzes every operation in-process (positive and negative data) on both
databases; its apps are built at import time, as schemathesis requires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.settings import Settings
from tests.support import enabled_backends, prepared_database

ROOT = Path(__file__).resolve().parents[2]


async def test_checked_in_openapi_equals_served(client: httpx.AsyncClient) -> None:
    served = (await client.get("/openapi.json")).json()
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert committed == served, "openapi.yaml drifted: run `broadsheet export-schema`"


def test_openapi_is_valid_3_1() -> None:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    validate(document)
    for path_item in document["paths"].values():
        for operation in path_item.values():
            assert operation["operationId"]
            assert operation["summary"]
            statuses = set(operation["responses"])
            assert {"400", "500"} <= statuses
            assert any(status.startswith("2") for status in statuses)


def _schema(backend: str) -> schemathesis.BaseSchema:
    url = prepared_database(backend, articles=40, seed=5)
    app = create_app(Settings(database_url=url))
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=30,
        allow_x00=True,
    )
    return loaded


BACKENDS = enabled_backends()
sqlite_schema = _schema("sqlite") if "sqlite" in BACKENDS else None
postgres_schema = _schema("postgresql") if "postgresql" in BACKENDS else None

FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _check(case: schemathesis.Case[Any]) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"][0] == "application/problem+json"
        assert orjson.loads(response.content)["status"] == response.status_code
    # A cursor is an opaque server-minted token: no schema can tell a valid one from a
    # well-formed fake, so "schema-valid input must be accepted" cannot apply to it.
    # Likewise a search query: its syntax (closed quotes, OR between terms) is beyond a schema.
    opaque = bool({"cursor", "since"} & set(case.query or {})) or case.path == "/v1/search"
    excluded: list[Any] = [positive_data_acceptance] if opaque else []
    case.validate_response(response, excluded_checks=excluded)


if sqlite_schema is not None:

    @sqlite_schema.parametrize()
    @FUZZ_SETTINGS
    def test_fuzz_rest_sqlite(case: schemathesis.Case[Any]) -> None:
        _check(case)


if postgres_schema is not None:

    @postgres_schema.parametrize()
    @FUZZ_SETTINGS
    def test_fuzz_rest_postgresql(case: schemathesis.Case[Any]) -> None:
        _check(case)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fuzzing_covers_both_databases(backend: str) -> None:
    assert {"sqlite": sqlite_schema, "postgresql": postgres_schema}[backend] is not None
