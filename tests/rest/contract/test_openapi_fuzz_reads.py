"""The app keeps its contract: schemathesis fuzzes every operation without a key.

In-process, with positive and negative data, on both databases: the reads in full, the
writes as far as their 401 (tests/rest/contract/test_openapi_fuzz_writes.py has a key).
Its apps are built at import time, as schemathesis requires.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from api.app import create_app
from api.settings import Settings
from tests.fixtures.databases import enabled_backends, prepared_database


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
    # Security alternatives mean either key, and no schema can say that sending a key both
    # ways at once is refused (400, "send one credential", before any route or method).
    if {"authorization", "x-api-key"} <= {name.lower() for name in case.headers or {}}:
        excluded += [positive_data_acceptance, unsupported_method]
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
