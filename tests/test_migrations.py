"""Migrations are the only way the schema is built, so they must round-trip and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from api import migrate
from api.models import Base
from api.models.search import include_in_autogenerate


def test_upgrade_downgrade_upgrade(database_url: str, sync_engine: Engine) -> None:
    migrate.downgrade(database_url, "base")
    assert set(inspect(sync_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database_url)
    with sync_engine.connect() as connection:
        assert migrate.is_at_head(connection)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(
        inspect(sync_engine).get_table_names()
    )


def test_models_match_migrations(sync_engine: Engine) -> None:
    with sync_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": include_in_autogenerate,
            },
        )
        assert compare_metadata(context, Base.metadata) == []
