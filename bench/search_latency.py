"""Search latency, in-process: p50/p95/p99 of ``search_page`` over a realistic query mix.

    python bench/search_latency.py DATABASE_URL [--calls 300] [--seed 7]

Reads only. The mix is drawn from the database itself: entity names, two title words,
quoted title phrases, ``a OR b``, exclusions, and a third of the calls with a category
filter. Prints a Markdown table (all calls, then per kind).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from api.db.database import Database, create_async_db_engine
from api.domain.search.service import search_page
from api.domain.shared.filters import ArticleFilter
from api.edge.memory import startup_frozen
from api.models import Article, Category, Entity
from api.settings import Settings

WARMUP = 20
PAGE_SIZE = 20


def _words(title: str) -> list[str]:
    return [w for w in title.split() if w.isalpha() and len(w) > 3]


def build_mix(
    rng: random.Random, entities: list[str], titles: list[str], categories: list[str], n: int
) -> list[tuple[str, str, ArticleFilter]]:
    """(kind, query, filter) triples, cycling through the kinds."""
    mix: list[tuple[str, str, ArticleFilter]] = []
    kinds = ("entity", "two words", "phrase", "or", "exclusion")
    while len(mix) < n:
        kind = kinds[len(mix) % len(kinds)]
        words = _words(rng.choice(titles))
        while len(words) < 3:
            words = _words(rng.choice(titles))
        if kind == "entity":
            q = rng.choice(entities)
        elif kind == "two words":
            q = " ".join(rng.sample(words, 2))
        elif kind == "phrase":
            start = rng.randrange(len(words) - 1)
            q = '"' + " ".join(words[start : start + 2]) + '"'
        elif kind == "or":
            q = f"{rng.choice(entities)} OR {rng.choice(entities)}"
        else:
            q = f"{words[0]} -{words[1]}"
        article_filter = ArticleFilter()
        if rng.random() < 1 / 3:
            article_filter = ArticleFilter(category=rng.choice(categories))
            kind += " + filter"
        mix.append((kind, q, article_filter))
    return mix


async def sample_inputs(database: Database) -> tuple[list[str], list[str], list[str]]:
    async with database.session() as session:
        entities = list((await session.scalars(select(Entity.name))).all())
        # Every k-th article by id: the same sample on each run and on either database.
        count = int(await session.scalar(select(func.count()).select_from(Article)) or 0)
        stride = max(1, count // 2000)
        titles = list(
            await session.scalars(
                select(Article.title).where(Article.id % stride == 0).order_by(Article.id)
            )
        )
        categories = list((await session.scalars(select(Category.slug))).all())
    return entities, titles, categories


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds a local PostgreSQL backend has used (0 when unknown or not local)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def backend_pid(database: Database) -> int | None:
    """The server process behind the pooled connection (calls run one at a time, so one)."""
    async with database.session() as session:
        if session.get_bind().dialect.name != "postgresql":
            return None
        pid: int | None = await session.scalar(select(func.pg_backend_pid()))
        return pid


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(url: str, calls: int, seed: int) -> str:
    database = Database(create_async_db_engine(Settings(database_url=url), url=url))
    try:
        entities, titles, categories = await sample_inputs(database)
        mix = build_mix(random.Random(seed), entities, titles, categories, calls + WARMUP)
        pid = await backend_pid(database)
        timings: dict[str, list[float]] = {}
        cpu: list[float] = []
        server_cpu = 0.0
        hits: list[int] = []
        # As the service does once started (api.app): what exists now stays out of the
        # collector's passes, whose full ones took up to 90 ms here otherwise.
        with startup_frozen(enabled=Settings().gc_freeze):
            for index, (kind, q, article_filter) in enumerate(mix):
                started, cpu_started = time.perf_counter(), time.process_time()
                server_started = _backend_cpu(pid)
                async with database.session() as session:
                    page = await search_page(
                        session, q, article_filter, limit=PAGE_SIZE, cursor=None
                    )
                elapsed = time.perf_counter() - started
                if index >= WARMUP:
                    timings.setdefault(kind, []).append(elapsed)
                    cpu.append(time.process_time() - cpu_started)
                    server_cpu += _backend_cpu(pid) - server_started
                    hits.append(len(page.items))
    finally:
        await database.dispose()
    every = [t for values in timings.values() for t in values]
    backend = url.split(":", 1)[0]
    lines = [
        f"Search latency on `{backend}` ({len(every)} calls, page size {PAGE_SIZE}, "
        f"mean hits/page {statistics.mean(hits):.1f}; this process's CPU per call: "
        f"p50 {_ms(cpu, 0.5):.1f} ms, mean {statistics.mean(cpu) * 1000:.1f} ms"
        + (f"; PostgreSQL backend CPU mean {server_cpu / len(every) * 1000:.1f} ms" if pid else "")
        + ")",
        "",
        "| queries | calls | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
        f"| all | {len(every)} | {_ms(every, 0.5):.1f} | {_ms(every, 0.95):.1f} "
        f"| {_ms(every, 0.99):.1f} "
        f"| {max(every) * 1000:.1f} |",
    ]
    for kind in sorted(timings):
        values = timings[kind]
        lines.append(
            f"| {kind} | {len(values)} | {_ms(values, 0.5):.1f} | {_ms(values, 0.95):.1f} "
            f"| {_ms(values, 0.99):.1f} "
            f"| {max(values) * 1000:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(asyncio.run(run(args.database_url, args.calls, args.seed)))


if __name__ == "__main__":
    main()
