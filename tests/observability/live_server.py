"""A real uvicorn server (one worker, a subprocess) for the concurrency tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from api.demo import generate_demo
from bench.server import Server


@dataclass(frozen=True, slots=True)
class Live:
    base_url: str
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def live_server(database_url: str, log_path: Path) -> Iterator[Live]:
    """``uvicorn api.app:create_app`` on a free port, stopped (SIGTERM) on exit."""
    env = {
        "DATABASE_URL": database_url,
        "BROADSHEET_DEBUG": "false",
        # One address makes every call here: the default 600/min would throttle the test.
        "BROADSHEET_RATE_LIMIT_ANONYMOUS": "1000000/minute",
        "BROADSHEET_RATE_LIMIT_KEYED": "1000000/minute",
        # 64 clients share 20 PostgreSQL connections; on a busy 2-core machine the wait for
        # one can pass the 5 s default (a 500 today). This test is about correctness under
        # concurrency, so it waits as long as SQLite's pool does by default (30 s).
        "BROADSHEET_POOL_TIMEOUT_SECONDS": "30",
    }
    with Server("api.app:create_app", workers=1, env=env, log_path=log_path) as server:
        yield Live(server.base_url, log_path)


def seed(engine: Engine, articles: int, seed_value: int) -> list[str]:
    """A demo corpus; returns article slugs, newest first."""
    generate_demo(engine, articles=articles, seed=seed_value, if_empty=False, progress=False)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT slug FROM articles ORDER BY published_at DESC, id DESC")
        ).scalars()
        return list(rows)


def article_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM articles")).scalar_one())
