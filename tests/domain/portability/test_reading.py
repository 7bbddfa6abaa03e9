"""Keyset batches over single and composite primary keys, and the target checks."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from api.db import migrate
from api.demo import generate_demo
from api.domain.portability.reading import snapshot, table_batches
from api.domain.portability.tables import TargetRefused, check_target, table_of
from api.models import Article, IdempotentRequest, Mention


def test_batches_walk_every_row_once_in_key_order(sync_engine: Engine) -> None:
    generate_demo(sync_engine, articles=30, seed=4, if_empty=False, progress=False)
    with sync_engine.begin() as connection:
        connection.execute(
            table_of(IdempotentRequest).insert(),
            [
                {"principal": p, "key": k, "request_hash": "h"}
                for p in ("a", "b", "c")
                for k in ("x", "y", "z", "zz")
            ],
        )
    for model, size in ((Article, 7), (Mention, 5), (IdempotentRequest, 5)):
        table = table_of(model)
        key = list(table.primary_key.columns)
        with snapshot(sync_engine) as connection:
            expected = connection.execute(select(*key).order_by(*key)).all()
            walked = [
                tuple(row._mapping[c] for c in key)
                for rows in table_batches(connection, table, batch_rows=size)
                for row in rows
            ]
        assert walked == [tuple(row) for row in expected]
        assert len(expected) > size


def test_check_target_wants_base_or_an_empty_head(sync_engine: Engine, database_url: str) -> None:
    with sync_engine.connect() as connection:
        assert check_target(connection) is False  # migrated, empty
    generate_demo(sync_engine, articles=2, seed=4, if_empty=False, progress=False)
    with sync_engine.connect() as connection, pytest.raises(TargetRefused, match="not empty"):
        check_target(connection)


def test_check_target_refuses_an_older_revision(sync_engine: Engine, database_url: str) -> None:
    migrate.downgrade(database_url, "0008")
    try:
        with sync_engine.connect() as connection, pytest.raises(TargetRefused, match="0008"):
            check_target(connection)
    finally:
        migrate.upgrade(database_url)
