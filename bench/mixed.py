"""Reads under bulk writes: feed readers at a fixed rate while batch writers push.

A fresh scratch database with a demo corpus and one worker. wrk first finds the feed's
peak (``--readers`` connections, no writers); then the readers run open loop at half of
that rate (latency from each request's due time), once alone and once while
``--writers`` clients (another process) each push ``--batch-size``-article batches to
``POST /v1/articles:batch`` back to back for ``--seconds``. Reported: the readers'
p50/p99 both times, the writers' batches and articles per second, the 503s (retried
after ``Retry-After``) and 409s (retried) they met, and failures; then every acknowledged
article is looked up in the database.

    python -m bench.mixed --backend sqlite
    python -m bench.mixed --backend postgresql
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import multiprocessing
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import orjson
from sqlalchemy import select

from api.db import create_sync_db_engine
from api.domain.access.keys import create_key
from api.models import Article, KeyScope
from api.settings import Settings
from bench.corpus import CACHE_DIR, broadsheet, scratch_database
from bench.ingest_bench import make_items
from bench.paced import PacedResult, run_paced
from bench.server import Server
from bench.wrk import HttpRequest, lua_script, run_wrk

FEED = HttpRequest("GET", "/v1/articles?limit=20")


@dataclass
class Writers:
    batches: int = 0
    articles: int = 0
    busy: int = 0  # 503: the write queue was full (or the database busy), retried
    conflicts: int = 0  # 409: a concurrent batch wrote the same rows first, retried
    failed: dict[str, int] = field(default_factory=dict)  # status -> batches
    failed_samples: list[str] = field(default_factory=list)
    batch_seconds: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # urls answered created/updated


async def _make_key(url: str) -> str:
    from api.app import create_app

    app = create_app(Settings(database_url=url))
    async with app.router.lifespan_context(app), app.state.db.session(write=True) as session:
        _, token = await create_key(session, "bench-mixed", KeyScope.WRITE)
    return token


async def _push(base_url: str, token: str, bodies: list[tuple[list[str], bytes]],
                until: float, writers: Writers) -> None:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        for urls, body in bodies:
            if time.monotonic() >= until:
                return
            while True:
                started = time.perf_counter()
                response = await http.post("/v1/articles:batch", content=body, headers=headers)
                if response.status_code not in (409, 503):
                    break
                # Both say "retry": 503 a full queue (after Retry-After), 409 a concurrent
                # batch that wrote the same rows first.
                if response.status_code == 503:
                    writers.busy += 1
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                else:
                    writers.conflicts += 1
                if time.monotonic() >= until:
                    return
            if response.status_code != 200:
                status = str(response.status_code)
                writers.failed[status] = writers.failed.get(status, 0) + 1
                if len(writers.failed_samples) < 3:
                    writers.failed_samples.append(response.text[:300])
                continue
            writers.batch_seconds.append(time.perf_counter() - started)
            writers.batches += 1
            for url, item in zip(urls, response.json()["items"], strict=True):
                if item["status"] in ("created", "updated", "unchanged"):
                    writers.acknowledged.append(url)
                    writers.articles += 1


async def _write_load(base_url: str, token: str, count: int, size: int, seconds: float,
                      started: float) -> Writers:  # fmt: skip
    per_writer = int(seconds * 4) + 4  # more than any writer can push in the time
    plans: list[list[tuple[list[str], bytes]]] = []
    for writer in range(count):
        plan = []
        for batch in range(per_writer):
            items = make_items(f"mixed-{started:.0f}-{writer}", batch, size, 11)
            plan.append(([i["url"] for i in items], orjson.dumps({"items": items})))
        plans.append(plan)
    writers = Writers()
    until = time.monotonic() + seconds
    await asyncio.gather(*(_push(base_url, token, plan, until, writers) for plan in plans))
    return writers


def _missing(url: str, acknowledged: list[str]) -> int:
    engine = create_sync_db_engine(Settings(), url=url)
    try:
        found: set[str] = set()
        with engine.connect() as connection:
            for start in range(0, len(acknowledged), 500):
                chunk = acknowledged[start : start + 500]
                found.update(connection.scalars(select(Article.url).where(Article.url.in_(chunk))))
        return len(set(acknowledged) - found)
    finally:
        engine.dispose()


def _pushed(base_url: str, token: str, count: int, size: int, seconds: float) -> Writers:
    """The writers, in a process of their own (their JSON work stays off the readers')."""
    return asyncio.run(_write_load(base_url, token, count, size, seconds, time.time()))


async def _paced_reads(base_url: str, rate: float, seconds: float, connections: int) -> PacedResult:
    return await run_paced(base_url, [FEED], rate=rate, seconds=seconds, connections=connections)


def run(backend: str, pg_url: str, *, corpus: int, readers: int, writers: int, size: int,
        seconds: int) -> dict[str, object]:  # fmt: skip
    url = scratch_database(backend, pg_url, "mixed")
    broadsheet(url, "demo", "--articles", str(corpus), "--no-progress")
    token = asyncio.run(_make_key(url))
    env = {
        "DATABASE_URL": url,
        "BROADSHEET_DEBUG": "false",
        "BROADSHEET_RATE_LIMIT_ENABLED": "false",
    }
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "feed.lua"
        script.write_text(lua_script([FEED]))
        log = CACHE_DIR / "logs" / "mixed.log"
        with Server("api.app:create_app", workers=1, env=env, log_path=log) as server:
            peak = run_wrk(server.base_url, script, seconds=5, connections=readers, threads=2)
            rate = max(1.0, peak.rps / 2)
            idle = asyncio.run(_paced_reads(server.base_url, rate, seconds - 3, readers))
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                load = pool.submit(_pushed, server.base_url, token, writers, size, seconds)
                time.sleep(2)  # the writers are under way before the readers count
                loaded = asyncio.run(_paced_reads(server.base_url, rate, seconds - 3, readers))
                pushed = load.result()
    missing = _missing(url, pushed.acknowledged)
    batch_ms = sorted(s * 1000 for s in pushed.batch_seconds) or [0.0]
    return {
        "backend": backend,
        "corpus": corpus,
        "readers": readers,
        "writers": writers,
        "batch_size": size,
        "seconds": seconds,
        "peak_reads_rps": round(peak.rps),
        "read_rate": round(rate),
        "idle_reads": _reads(idle),
        "reads_under_writes": _reads(loaded),
        "writes": {
            "batches": pushed.batches,
            "articles": pushed.articles,
            "articles_per_second": round(pushed.articles / seconds),
            "batch_p50_ms": round(statistics.median(batch_ms), 1),
            "batch_p99_ms": round(batch_ms[min(len(batch_ms) - 1, int(len(batch_ms) * 0.99))], 1),
            "busy_503_retried": pushed.busy,
            "conflicts_409_retried": pushed.conflicts,
            "failed": pushed.failed,
            "failed_samples": pushed.failed_samples,
            "acknowledged_missing": missing,
        },
    }


def _reads(result: PacedResult) -> dict[str, object]:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(result).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://127.0.0.1:5432")
    parser.add_argument("--corpus", type=int, default=2000)
    parser.add_argument("--readers", type=int, default=56)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    result = run(
        args.backend,
        args.pg_url,
        corpus=args.corpus,
        readers=args.readers,
        writers=args.writers,
        size=args.batch_size,
        seconds=args.seconds,
    )
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
