"""``broadsheet backup``: a consistent SQLite snapshot while batches are being written."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from api.db.database import create_sync_db_engine
from api.demo import generate_demo
from api.settings import Settings
from tests.domain.portability.stores import run_cli
from tests.fixtures.writes import payload

# Small steps and a large store: the backup takes many steps while writers commit.
STEP_PAGES = 8


def _consistency(path: Path) -> tuple[str, int, int, int, int]:
    with sqlite3.connect(path) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        # Every article has its mentions (each demo article mentions at least one entity)...
        bare = connection.execute(
            "SELECT count(*) FROM articles a "
            "WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id)"
        ).fetchone()[0]
        # ...its changes-log entry, and its search document (written by the same commit).
        unlogged = connection.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM changes c WHERE c.resource_id = a.public_id)"
        ).fetchone()[0]
        unindexed = connection.execute(
            "SELECT count(*) FROM articles a "
            "WHERE NOT EXISTS (SELECT 1 FROM article_search s WHERE s.rowid = a.id)"
        ).fetchone()[0]
    return integrity, articles, bare, unlogged, unindexed


def test_backup_is_consistent_under_concurrent_batch_writes(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.domain.portability import backup as backup_module

    monkeypatch.setattr(backup_module, "BACKUP_PAGES_PER_STEP", STEP_PAGES)
    store = tmp_path / "live.db"
    store.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{store}"
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    # The demo writer commits a batch (articles, mentions, links, search documents) per
    # transaction: a snapshot taken mid-load must hold whole batches only.
    writing = threading.Thread(
        target=generate_demo,
        args=(engine,),
        kwargs={"articles": 10_000, "seed": 3, "if_empty": False, "progress": False},
    )
    writing.start()
    try:
        while _article_count(store) == 0:
            writing.join(0.05)
        backed_up = run_cli(url, "backup", str(tmp_path / "snapshot.db"), "--no-progress")
        during = writing.is_alive()
    finally:
        writing.join()
        engine.dispose()
    assert backed_up.exit_code == 0, backed_up.output
    assert during, "the writer finished before the backup: nothing was tested"
    integrity, articles, bare, unlogged, unindexed = _consistency(tmp_path / "snapshot.db")
    assert integrity == "ok"
    assert 0 < articles < 10_000
    assert articles % 2_500 == 0  # whole batches only (the demo writes 2,500 per commit)
    assert (bare, unindexed) == (0, 0)
    # The demo logs its articles after the last batch, so mid-load none is logged yet.
    assert unlogged == articles
    assert not (tmp_path / "snapshot.db.partial").exists()


def test_batches_written_through_the_api_are_whole_in_the_snapshot(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch commits its articles, mentions, search documents and changes-log entries
    together: a snapshot holds every one of them for every article, or none."""
    from api.domain.portability import backup as backup_module

    # Slow steps: batches commit between them while the one snapshot is copied.
    monkeypatch.setattr(backup_module, "BACKUP_PAGES_PER_STEP", STEP_PAGES)
    monkeypatch.setattr(backup_module, "STEP_PAUSE_SECONDS", 0.05)
    store = tmp_path / "live.db"
    store.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{store}"
    stop = threading.Event()
    committed: list[int] = []
    writing = threading.Thread(target=_write_batches, args=(url, stop, committed))
    writing.start()
    try:
        while len(committed) < 2:
            writing.join(0.05)
            assert writing.is_alive() or committed, "the writer stopped before writing"
        before = len(committed)
        backed_up = run_cli(url, "backup", str(tmp_path / "snapshot.db"), "--no-progress")
        during = len(committed) - before
    finally:
        stop.set()
        writing.join()
    assert backed_up.exit_code == 0, backed_up.output
    assert during > 0, "no batch committed while the backup ran: nothing was tested"
    integrity, articles, bare, unlogged, unindexed = _consistency(tmp_path / "snapshot.db")
    assert integrity == "ok"
    assert articles > 0 and articles % BATCH == 0  # whole batches only
    assert (bare, unlogged, unindexed) == (0, 0, 0)


BATCH = 50


def _write_batches(url: str, stop: threading.Event, committed: list[int]) -> None:
    """Batches of new articles through the batch upsert, one transaction each, until
    ``stop``; ``committed`` grows by one per commit."""
    from api.db.database import Database, create_async_db_engine
    from api.domain.articles import upsert_batch

    async def write() -> None:
        database = Database(create_async_db_engine(Settings(database_url=url), url=url))
        try:
            number = 0
            while not stop.is_set() and number < 200:
                items = [
                    payload(f"https://wire.example/{number}-{i}", title=f"Story {number} {i}")
                    for i in range(BATCH)
                ]
                async with database.session(write=True) as session:
                    results = await upsert_batch(session, items, atomic=True)
                assert all(r.status == "created" for r in results)
                committed.append(number)
                number += 1
        finally:
            await database.dispose()

    asyncio.run(write())


def _article_count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_backup_refuses_postgresql_and_an_existing_file(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "exists.db"
    target.write_bytes(b"")
    refused = run_cli(database_url, "backup", str(target))
    assert refused.exit_code == 1
    if database_url.startswith("postgresql"):
        assert "pg_dump" in refused.output and "moving-to-postgresql.md" in refused.output
    else:
        assert "exists" in refused.output


def test_backup_restores_by_putting_the_file_in_place(
    sqlite_template: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.db"
    live.write_bytes(sqlite_template.read_bytes())
    database_url = f"sqlite:///{live}"
    engine = create_sync_db_engine(Settings(database_url=database_url), url=database_url)
    generate_demo(engine, articles=30, seed=2, if_empty=False, progress=False)
    engine.dispose()
    snapshot = tmp_path / "copy.db"
    assert run_cli(database_url, "backup", str(snapshot)).exit_code == 0
    exported = run_cli(database_url, "export", "-")
    restored = run_cli(f"sqlite:///{snapshot}", "export", "-")
    assert restored.exit_code == 0
    assert restored.stdout_bytes == exported.stdout_bytes
