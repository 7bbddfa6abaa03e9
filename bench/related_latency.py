"""In-process latency of related articles, co-occurring and trending entities.

    .venv/bin/python bench/related_latency.py DATABASE_URL [--seeds 200] [--seed 7]

Calls the domain functions directly, one session per call (as a request would), against
an existing corpus, read-only: SQLite files are opened with ``mode=ro``, PostgreSQL
sessions with ``default_transaction_read_only``. Prints a Markdown table of p50/p95/p99/max.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.db.database import create_async_db_engine, with_driver
from api.domain.catalog.entity_graph import co_occurring, trending
from api.domain.related.service import related_articles
from api.edge.memory import startup_frozen
from api.models import Article, Entity, EntityType
from api.settings import Settings

WARMUP = 10


def _engine(url: str) -> AsyncEngine:
    target = make_url(url)
    if target.get_backend_name() == "sqlite":
        # The service's own hooks would set WAL mode: a write. Read-only, as shipped otherwise.
        path = target.database
        return create_async_engine(
            with_driver(f"sqlite:///file:{path}?mode=ro&uri=true", asynchronous=True)
        )
    engine = create_async_db_engine(Settings(database_url=url))
    return create_async_engine(
        engine.url, connect_args={"server_settings": {"default_transaction_read_only": "on"}}
    )


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _time(
    sessions: async_sessionmaker[AsyncSession],
    calls: list[Callable[[AsyncSession], Awaitable[Any]]],
) -> tuple[list[float], float]:
    """Wall-clock ms per call, and this process's mean CPU ms per call.

    CPU time is reported because the benchmark machine may be shared: it is what one call
    costs this process (SQLite runs in-process; PostgreSQL's own work is not included).
    """
    samples = []
    cpu = 0.0
    for index, call in enumerate(calls):
        started, started_cpu = time.perf_counter(), time.process_time()
        async with sessions() as session, session.begin():
            await call(session)
        if index >= WARMUP:
            samples.append((time.perf_counter() - started) * 1000)
            cpu += (time.process_time() - started_cpu) * 1000
    return samples, cpu / max(len(samples), 1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    engine = _engine(args.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(args.seed)
    async with sessions() as session:
        top = (await session.execute(select(func.max(Article.id)))).scalar_one()
        slugs = list((await session.scalars(select(Entity.slug).order_by(Entity.id))).all())
        newest = (await session.execute(select(func.max(Article.published_at)))).scalar_one()
    pks = [rng.randint(1, top) for _ in range(args.seeds + WARMUP)]
    entities = [rng.choice(slugs) for _ in range(args.seeds + WARMUP)]
    types = list(EntityType)
    ago = [newest - dt.timedelta(hours=i) for i in range(args.seeds + WARMUP)]
    since = newest - dt.timedelta(days=60)
    scenarios: dict[str, list[Callable[[AsyncSession], Awaitable[Any]]]] = {
        "related (limit 10)": [partial(related_articles, article_pk=pk, limit=10) for pk in pks],
        "related (limit 50)": [partial(related_articles, article_pk=pk, limit=50) for pk in pks],
        "related (entity_type)": [
            partial(related_articles, article_pk=pk, limit=10, entity_type=types[i % len(types)])
            for i, pk in enumerate(pks)
        ],
        # Seeds older than the cut-off walk back through every earlier mention of their
        # entities to find qualifying candidates: the slow case, measured on its own.
        "related (published_after = newest - 60 days)": [
            partial(related_articles, article_pk=pk, limit=10, published_after=since) for pk in pks
        ],
        "co-occurring (limit 20)": [
            partial(co_occurring, entity_slug=slug, limit=20) for slug in entities
        ],
        "trending 24h": [partial(trending, window="24h", limit=20, until=end) for end in ago],
        "trending 7d": [partial(trending, window="7d", limit=20, until=end) for end in ago],
    }
    backend = make_url(args.database_url).get_backend_name()
    print(f"{backend}, {top:,} articles, {args.seeds} calls per scenario (seed {args.seed})\n")
    print("| scenario | p50 ms | p95 ms | p99 ms | max ms | mean ms | CPU ms/call |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    # As the service does once started (api.app): startup's objects skip the collector.
    with startup_frozen(enabled=Settings().gc_freeze):
        for name, calls in scenarios.items():
            if args.only not in name:
                continue
            samples, cpu = await _time(sessions, calls)
            print(
                f"| {name} | {_percentile(samples, 0.5):.2f} | {_percentile(samples, 0.95):.2f} "
                f"| {_percentile(samples, 0.99):.2f} "
                f"| {max(samples):.2f} | {statistics.fmean(samples):.2f} | {cpu:.2f} |"
            )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
