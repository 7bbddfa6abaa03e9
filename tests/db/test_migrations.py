"""Migrations are the only way the schema is built, so they must round-trip and match the models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from api.db import migrate
from api.demo.writer import generate_demo
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


def test_search_key_lexemes_migrate_with_the_data(database_url: str, sync_engine: Engine) -> None:
    """0007 gives existing PostgreSQL documents their key lexemes, and takes them back."""
    if sync_engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 index has no key lexemes")
    generate_demo(sync_engine, articles=40, seed=3, if_empty=False, progress=False)
    keyed = (
        "SELECT count(*) FROM article_search s JOIN articles a ON a.id = s.article_id "
        "WHERE s.document @@ (quote_literal('segment ' || a.id / 4096)::tsquery "
        "&& quote_literal('category ' || a.category_id)::tsquery "
        "&& quote_literal('source ' || a.source_id)::tsquery)"
    )
    spaced = (
        "SELECT count(*) FROM article_search s, unnest(tsvector_to_array(s.document)) w "
        "WHERE w LIKE '% %'"
    )
    with sync_engine.connect() as connection:
        assert connection.scalar(text(keyed)) == 40
    migrate.downgrade(database_url, "0006")
    with sync_engine.connect() as connection:
        assert connection.scalar(text(spaced)) == 0
    migrate.upgrade(database_url)
    with sync_engine.connect() as connection:
        assert connection.scalar(text(keyed)) == 40
        assert connection.scalar(text(spaced)) == 40 * 3


def test_search_phrase_pairs_migrate(database_url: str, sync_engine: Engine) -> None:
    """0008 indexes the documents' word pairs, and takes the index and functions back."""
    if sync_engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 index has no word pairs")
    generate_demo(sync_engine, articles=40, seed=3, if_empty=False, progress=False)
    objects = text(
        "SELECT to_regclass('ix_article_search_pairs') IS NOT NULL, "
        "to_regproc('article_search_pairs') IS NOT NULL, "
        "to_regproc('article_search_phrase_pairs') IS NOT NULL"
    )
    # Every title's first two words, where they are a pair: each document holds its own.
    paired = text(
        "SELECT count(*) FILTER (WHERE article_search_pairs(s.document) @@ q), count(q) "
        "FROM article_search s JOIN articles a ON a.id = s.article_id, "
        "article_search_phrase_pairs(split_part(a.title, ' ', 1) || ' ' "
        "|| split_part(a.title, ' ', 2)) AS q"
    )
    with sync_engine.connect() as connection:
        assert tuple(connection.execute(objects).one()) == (True, True, True)
    migrate.downgrade(database_url, "0007")
    with sync_engine.connect() as connection:
        assert tuple(connection.execute(objects).one()) == (False, False, False)
    migrate.upgrade(database_url)
    with sync_engine.connect() as connection:
        assert tuple(connection.execute(objects).one()) == (True, True, True)
        held, pairs = connection.execute(paired).one()
        assert held == pairs > 0


def test_webhook_owners_migrate_with_the_data(database_url: str, sync_engine: Engine) -> None:
    """0009 adds each subscription's owner; the ones already stored become admin-only (NULL),
    and a downgrade keeps the subscriptions and their deliveries."""
    subs, deliveries = (
        Base.metadata.tables[t] for t in ("webhook_subscriptions", "webhook_deliveries")
    )
    hook: dict[str, Any] = {"url": "http://hooks.example/", "event_types": ["article.created"]}
    hook |= {"version": 1, "secret": "whsec_x", "active": True, "owner_key_id": "ownerkey0000"}
    now = dt.datetime.now(dt.UTC)
    sent: dict[str, Any] = {"subscription_id": "s1", "event_type": "article.created"}
    sent |= {"resource_id": "a1", "payload": {}, "status": "pending", "attempts": 0}
    sent |= {"next_attempt_at": now, "created_at": now}
    with sync_engine.begin() as connection:
        connection.execute(subs.insert(), [hook | {"id": "s1"}, hook | {"id": "s2"}])
        connection.execute(deliveries.insert(), [sent | {"id": f"d{n}"} for n in range(3)])
    migrate.downgrade(database_url, "0008")
    columns = {c["name"] for c in inspect(sync_engine).get_columns("webhook_subscriptions")}
    assert "owner_key_id" not in columns
    with sync_engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM webhook_subscriptions")) == 2
        assert connection.scalar(text("SELECT count(*) FROM webhook_deliveries")) == 3
    migrate.upgrade(database_url)
    with sync_engine.connect() as connection:
        owners = connection.execute(text("SELECT id, owner_key_id FROM webhook_subscriptions"))
        assert sorted(owners.all()) == [("s1", None), ("s2", None)]
        assert connection.scalar(text("SELECT count(*) FROM webhook_deliveries")) == 3


def test_stories_migrate(database_url: str, sync_engine: Engine) -> None:
    """0010 adds the stories and the clustering's tables, and takes them back."""
    tables = {"stories", "story_members", "story_signatures", "story_entity_keys"}
    assert tables <= set(inspect(sync_engine).get_table_names())
    indexes = {i["name"] for i in inspect(sync_engine).get_indexes("stories")}
    assert {"ix_stories_updated_at_id", "ix_stories_size"} <= indexes
    migrate.downgrade(database_url, "0009")
    assert not tables & set(inspect(sync_engine).get_table_names())
    migrate.upgrade(database_url)
    assert tables <= set(inspect(sync_engine).get_table_names())


def test_story_sources_migrate_with_the_data(database_url: str, sync_engine: Engine) -> None:
    """0012 stores each story's sources, filled in for the stories already there as the
    write path writes them; a downgrade keeps the stories and their members."""
    generate_demo(sync_engine, articles=300, seed=4, if_empty=False, progress=False)
    with sync_engine.connect() as connection:
        written = {
            int(k): str(v) for k, v in connection.execute(text("SELECT id, sources FROM stories"))
        }
        members = connection.scalar(text("SELECT count(*) FROM story_members"))
    assert any(len(orjson.loads(sources)) > 1 for sources in written.values())
    migrate.downgrade(database_url, "0011")
    assert "sources" not in {c["name"] for c in inspect(sync_engine).get_columns("stories")}
    with sync_engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM story_members")) == members
    migrate.upgrade(database_url)
    with sync_engine.connect() as connection:
        filled = {
            int(k): str(v) for k, v in connection.execute(text("SELECT id, sources FROM stories"))
        }
    assert filled == written  # the same text, byte for byte
