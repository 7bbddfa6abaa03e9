"""REST test fixtures: a seeded corpus and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from api.demo import generate_demo
from tests.fixtures.databases import StatementLog, recording_statements

CORPUS_SIZE = 140


@pytest.fixture
def corpus(sync_engine: Engine) -> int:
    """A small deterministic demo corpus; returns its article count."""
    generate_demo(sync_engine, articles=CORPUS_SIZE, seed=11, if_empty=False, progress=False)
    return CORPUS_SIZE


@pytest.fixture
def sql_log(app: Starlette) -> Iterator[StatementLog]:
    log = StatementLog()
    with recording_statements(app.state.db, lambda _where, sql: log.statements.append(sql)):
        yield log
