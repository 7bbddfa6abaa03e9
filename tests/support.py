"""Helpers shared by test modules (fixtures live in conftest files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

# A locale-aware collation, as production databases usually have: catches ordering that
# only code-point collations (C, SQLite's BINARY) happen to get right.
CREATE_DATABASE = (
    'CREATE DATABASE "{name}" TEMPLATE template0'
    " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
)


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        # Transaction control is not a query; count what reaches the planner.
        return sum(
            1
            for s in self.statements
            if s.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}
        )


def prepared_database(backend: str, *, articles: int, seed: int) -> str:
    """A migrated, demo-seeded database that outlives fixtures (module-level test apps).

    Schemathesis needs its ASGI app at import time, before any fixture runs; this builds
    one database per call and removes it when the interpreter exits.
    """
    import atexit
    import os
    import tempfile
    import uuid

    import psycopg

    from api.db import migrate
    from api.db.database import create_sync_db_engine
    from api.demo import generate_demo
    from api.settings import Settings

    if backend == "sqlite":
        directory = tempfile.mkdtemp(prefix="broadsheet-")
        url = f"sqlite:///{directory}/module.db"
    elif backend == "postgresql":
        admin_url = os.environ.get(
            "BROADSHEET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
        name = f"broadsheet_mod_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(CREATE_DATABASE.format(name=name))

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        atexit.register(drop)
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        raise ValueError(f"unknown backend {backend!r}")
    migrate.upgrade(url)
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    try:
        generate_demo(engine, articles=articles, seed=seed, if_empty=False, progress=False)
    finally:
        engine.dispose()
    return url


def enabled_backends() -> list[str]:
    import os

    return [
        b.strip()
        for b in os.environ.get("BROADSHEET_TEST_BACKENDS", "sqlite,postgresql").split(",")
    ]


async def all_pages(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Follow ``next_cursor`` from the first page to the last; every page must be a 200."""
    items: list[dict[str, Any]] = []
    cursor = params.pop("cursor", None)
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
