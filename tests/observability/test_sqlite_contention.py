"""SQLite under contention: 8 writers and 56 readers against one real server.

No request may fail (no 5xx, no "database is locked" in any answer or in the server's
log), and the articles table must end with exactly the creates that were acknowledged.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine

from api.db.database import Database, create_async_db_engine, create_sync_db_engine
from api.domain.access.keys import create_key
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.live_server import article_count, live_server, seed

pytestmark = pytest.mark.anyio
WRITERS, CREATES_EACH = 8, 6
READERS, READS_EACH = 56, 6
LOCKED = "database is locked"


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "contention.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    sync = create_sync_db_engine(Settings(database_url=sqlite_url))
    yield sync
    sync.dispose()


async def write_token(url: str) -> str:
    database = Database(create_async_db_engine(Settings(database_url=url)))
    try:
        async with database.session(write=True) as session:
            _, token = await create_key(session, "contention writer", KeyScope.WRITE)
    finally:
        await database.dispose()
    return token


def article(writer: int, number: int) -> dict[str, Any]:
    return {
        "url": f"https://contention.example/w{writer}/a{number}",
        "title": f"Writer {writer} files story {number}",
        "source": {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"},
        "published_at": "2026-05-01T12:00:00+02:00",
        "importance": 5,
        "summary": "Written while many others read.",
        "mentions": [
            {"entity": {"slug": "acme", "name": "Acme Corp", "type": "company"}, "salience": 0.5}
        ],
    }


async def test_8_writers_and_56_readers_lose_nothing(
    engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    slugs = seed(engine, articles=40, seed_value=9)
    before = article_count(engine)
    token = await write_token(sqlite_url)
    reads = [f"/v1/articles/{slug}" for slug in slugs[:5]]
    reads += ["/v1/articles?limit=20", "/v1/search?q=writer", "/v1/articles?order=importance"]
    limits = httpx.Limits(max_connections=WRITERS + READERS)
    failures: list[str] = []
    acknowledged: list[str] = []
    bodies: list[bytes] = []

    with live_server(sqlite_url, tmp_path / "server.log") as server:
        async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=30) as http:

            async def writer(number: int) -> None:
                headers = {"Authorization": f"Bearer {token}"}
                for index in range(CREATES_EACH):
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                    try:
                        response = await http.post(
                            "/v1/articles", json=article(number, index), headers=headers
                        )
                    except httpx.HTTPError as exc:
                        failures.append(f"write {number}/{index}: {exc!r}")
                        continue
                    bodies.append(response.content)
                    if response.status_code == 201:
                        acknowledged.append(response.json()["id"])
                    else:
                        failures.append(f"write: {response.status_code} {response.text[:200]}")

            async def reader(number: int) -> None:
                for index in range(READS_EACH):
                    path = reads[(number + index) % len(reads)]
                    try:
                        response = await http.get(path)
                    except httpx.HTTPError as exc:
                        failures.append(f"{path}: {exc!r}")
                        continue
                    bodies.append(response.content)
                    if response.status_code != 200:
                        failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                    else:
                        orjson.loads(response.content)

            tasks = [writer(n) for n in range(WRITERS)] + [reader(n) for n in range(READERS)]
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
        log = server.log_text()

    assert failures == []
    assert len(acknowledged) == len(set(acknowledged)) == WRITERS * CREATES_EACH
    assert article_count(engine) == before + len(acknowledged)
    assert not any(LOCKED.encode() in body for body in bodies)
    assert LOCKED not in log
    assert "Traceback" not in log
