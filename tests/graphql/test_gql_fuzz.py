"""Schemathesis fuzzes every root field in-process, on both databases.

Its apps must exist at import time, so each is built here on a migrated, demo-seeded
database of its own (removed at exit). Whatever the generated query, the server must
answer without a 5xx, with a GraphQL JSON object whose every error carries a code.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from api.app import create_app
from api.settings import Settings
from tests.fixtures.databases import enabled_backends, prepared_database


def _schema(backend: str) -> schemathesis.BaseSchema:
    url = prepared_database(backend, articles=30, seed=7)
    app = create_app(Settings(database_url=url))
    loaded = schemathesis.graphql.from_asgi("/graphql", app)
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=25,
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
    payload: Any = orjson.loads(response.content)
    assert isinstance(payload, dict), payload
    for error in payload.get("errors", []):
        code = error.get("extensions", {}).get("code")
        assert isinstance(code, str), error
        assert code != "INTERNAL_SERVER_ERROR", error
    if response.status_code == 200 and "errors" not in payload:
        assert isinstance(payload["data"], dict)


if sqlite_schema is not None:

    @sqlite_schema.parametrize()
    @FUZZ_SETTINGS
    def test_fuzz_graphql_sqlite(case: schemathesis.Case[Any]) -> None:
        _check(case)


if postgres_schema is not None:

    @postgres_schema.parametrize()
    @FUZZ_SETTINGS
    def test_fuzz_graphql_postgresql(case: schemathesis.Case[Any]) -> None:
        _check(case)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fuzzing_covers_both_databases(backend: str) -> None:
    assert {"sqlite": sqlite_schema, "postgresql": postgres_schema}[backend] is not None
