"""The write side under schemathesis, with a write key, on both databases.

Stateless: every write operation with positive and negative data. Stateful: the state
machine follows the OpenAPI links (create -> read -> change -> delete -> read again) and
the test then checks those chains really ran, so a broken link cannot pass silently.
Apps and keys are made at import time, as schemathesis requires.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, seed, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import Engine, text

from api.app import create_app
from api.db.database import Database, create_async_db_engine, create_sync_db_engine
from api.domain.access.keys import create_key
from api.models import Base, KeyScope
from api.settings import Settings
from tests.fixtures.databases import enabled_backends, prepared_database

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
MAX_RUNS = 5
# One state machine per family. Together, the article's create would never start a scenario:
# schemathesis guesses `wikidata_id` (of an inline entity) is a reference to a "Wikidata"
# resource nothing creates, and then only starts from the sources' and entities' creates.
FAMILIES = {
    "articles": ["createArticle", "getArticle", "updateArticle", "replaceArticle",
                 "deleteArticle"],
    "catalog": ["createSource", "getSource", "updateSource", "replaceSource", "deleteSource",
                "createEntity", "getEntity", "updateEntity", "replaceEntity", "deleteEntity"],
}  # fmt: skip
# What each family's chains must include: a change after a create, and a read after a delete
# that finds the item gone (articles leave a tombstone: 410; sources and entities: 404).
EXPECTED_CHAINS = {
    "articles": [
        (("createArticle", 201), ("getArticle", 200)),
        (("createArticle", 201), ("updateArticle", 200)),
        (("createArticle", 201), ("deleteArticle", 204), ("getArticle", 410)),
    ],
    # Sources and entities share one machine: either kind may show each chain (prefixes
    # match within one resource's history), which keeps a short random run from missing one.
    "catalog": [
        (("create", 201), ("update", 200)),
        (("create", 201), ("get", 200)),
        (("create", 201), ("delete", 204), ("get", 404)),
    ],
}


async def _write_token(url: str) -> str:
    database = Database(create_async_db_engine(Settings(database_url=url)))
    try:
        async with database.session(write=True) as session:
            _, token = await create_key(session, "schemathesis", KeyScope.WRITE)
    finally:
        await database.dispose()
    return token


def _schema(backend: str) -> tuple[schemathesis.BaseSchema, str]:
    url = prepared_database(backend, articles=10, seed=9)
    token = asyncio.run(_write_token(url))
    # Rate limits have their own tests; here they would only turn late cases into 429s.
    app = create_app(Settings(database_url=url, rate_limit_enabled=False))
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)

    # Through schemathesis' auth hook, so it knows the key is meant to be valid: it then sends
    # no made-up credentials alongside, and its ignored-auth check probes without the key.
    @loaded.auth()
    class WriteKey:
        def get(self, case: schemathesis.Case[Any], ctx: Any) -> str:
            return token

        def set(self, case: schemathesis.Case[Any], data: str, ctx: Any) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    # Schema-valid is not enough for a write to succeed: a made-up If-Match names no current
    # version (412) and a made-up key may name an item deleted earlier in the run (410).
    loaded.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx", "401", "403", "404", "409", "410", "412", "429",
    ]  # fmt: skip
    # A change without If-Match is answered 428 Precondition Required (RFC 6585), not 400.
    loaded.config.checks.missing_required_header.expected_statuses = ["400", "428"]
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=5,
        allow_x00=True,
    )
    return loaded, url


BACKENDS = enabled_backends()
SCHEMAS: dict[str, tuple[schemathesis.BaseSchema, str]] = {b: _schema(b) for b in BACKENDS}
sqlite_writes = SCHEMAS["sqlite"][0].include(method=WRITE_METHODS) if "sqlite" in SCHEMAS else None
postgres_writes = (
    SCHEMAS["postgresql"][0].include(method=WRITE_METHODS) if "postgresql" in SCHEMAS else None
)

FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _assert_answer(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"][0] == "application/problem+json"
        assert orjson.loads(response.content)["status"] == response.status_code


def _beyond_the_schema(response: Any) -> bool:
    """A 422 naming only rules no JSON Schema can state, so refusing schema-valid data is right.

    A reference to something that does not exist ("no source with slug 'x'"), the same link
    or mention given twice (uniqueness by key, not by whole item), or a body slug other than
    the path's. Or a webhook target the SSRF guard refuses: that depends on DNS.
    """
    if response.status_code != 422:
        return False
    params = orjson.loads(response.content).get("invalid_params") or []
    return bool(params) and all(
        p["reason"].startswith(("no ", "target refused"))
        or "twice" in p["reason"]
        or "slug in the path" in p["reason"]
        for p in params
    )


def _reported_per_item(case: schemathesis.Case[Any], response: Any) -> bool:
    """A batch answers 200 with an error result per bad item, as documented, unless atomic."""
    if case.operation.definition.raw["operationId"] != "upsertArticles":
        return False
    return response.status_code == 200 and bool(orjson.loads(response.content)["errors"])


def _check(case: schemathesis.Case[Any]) -> None:
    response = case.call()
    _assert_answer(response)
    excluded: list[Any] = []
    if _beyond_the_schema(response):
        excluded.append(positive_data_acceptance)
    if _reported_per_item(case, response):
        excluded.append(negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)


if sqlite_writes is not None:

    @sqlite_writes.parametrize()
    @FUZZ_SETTINGS
    def test_fuzz_writes_sqlite(case: schemathesis.Case[Any]) -> None:
        _check(case)


if postgres_writes is not None:

    @postgres_writes.parametrize()
    @FUZZ_SETTINGS
    def test_fuzz_writes_postgresql(case: schemathesis.Case[Any]) -> None:
        _check(case)


@dataclass
class Chains:
    """What happened to each item, in order: (operation id, status) per step."""

    steps: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    scenarios: Iterator[int] = field(default_factory=itertools.count)

    def record(
        self, scenario: int, case: schemathesis.Case[Any], status: int, body: dict[str, Any]
    ) -> None:
        operation_id = case.operation.definition.raw["operationId"]
        if case.method == "POST":
            if status != 201:
                return
            item = f"{case.path}/{body.get('id') or body.get('slug')}"
        else:
            item = case.formatted_path
        self.steps[f"{scenario}:{item}"].append((operation_id, status))

    def ran(self, *pattern: tuple[str, int]) -> list[str]:
        """Items whose history contains ``pattern`` as a subsequence (operation prefix, status)."""
        return [item for item, history in self.steps.items() if _contains(history, pattern)]


def _contains(history: list[tuple[str, int]], pattern: tuple[tuple[str, int], ...]) -> bool:
    remaining = iter(history)
    return all(
        any(op.startswith(prefix) and status == want for op, status in remaining)
        for prefix, want in pattern
    )


def _emptied(engine: Engine) -> None:
    """Every table but the keys emptied: each scenario starts from the same store.

    Hypothesis may replay a scenario's start; if an earlier scenario had left its article
    behind, the replayed create would answer 409 and the run would diverge (flaky).
    """
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "api_keys"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


def _run_state_machine(backend: str, family: str, chains: Chains, run: int) -> None:
    loaded, url = SCHEMAS[backend]
    schema = loaded.include(operation_id=FAMILIES[family])
    base = schema.as_state_machine()
    engine = create_sync_db_engine(Settings(database_url=url), url=url)

    class Machine(base):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            _emptied(engine)
            self.scenario = next(chains.scenarios)

        def after_call(self, response: Any, case: schemathesis.Case[Any]) -> None:
            _assert_answer(response)
            body = orjson.loads(response.content) if response.content else None
            data = body if isinstance(body, dict) else {}
            chains.record(self.scenario, case, response.status_code, data)
            super().after_call(response, case)

        def validate_response(
            self, response: Any, case: schemathesis.Case[Any], **kwargs: Any
        ) -> None:
            excluded: list[Any] = [positive_data_acceptance] if _beyond_the_schema(response) else []
            case.validate_response(response, excluded_checks=excluded)

    # Each run its own fixed seed: Hypothesis' CI profile (derandomize) would otherwise replay
    # one identical run MAX_RUNS times, and runs would differ between CI and a laptop.
    seeded = seed(run)(Machine)
    try:
        seeded.run(
            settings=settings(
                phases=[Phase.generate],
                max_examples=12,
                stateful_step_count=8,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
        )
    finally:
        engine.dispose()


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_stateful_writes_follow_the_links(backend: str, family: str) -> None:
    # A short run may miss a chain by chance, so up to MAX_RUNS differently seeded runs
    # accumulate. A broken link never produces its chain, and fails every run.
    chains = Chains()
    for run in range(MAX_RUNS):
        _run_state_machine(backend, family, chains, run)
        missing = [pattern for pattern in EXPECTED_CHAINS[family] if not chains.ran(*pattern)]
        if not missing:
            break
    assert not missing, f"never ran {missing}; ran {dict(chains.steps)}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_fuzzing_covers_both_databases(backend: str) -> None:
    assert {"sqlite": sqlite_writes, "postgresql": postgres_writes}[backend] is not None
