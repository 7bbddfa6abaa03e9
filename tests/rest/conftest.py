"""REST test fixtures: a seeded corpus and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from starlette.applications import Starlette

from api.demo import generate_demo
from tests.fixtures.databases import StatementLog

CORPUS_SIZE = 140


@pytest.fixture
def corpus(sync_engine: Engine) -> int:
    """A small deterministic demo corpus; returns its article count."""
    generate_demo(sync_engine, articles=CORPUS_SIZE, seed=11, if_empty=False, progress=False)
    return CORPUS_SIZE


@pytest.fixture
def sql_log(app: Starlette) -> Iterator[StatementLog]:
    log = StatementLog()
    engines = app.state.db.sync_engines

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        log.statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    yield log
    for engine in engines:
        event.remove(engine, "before_cursor_execute", record)
