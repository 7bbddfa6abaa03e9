"""Bulk ingest through the REST door: ``POST /v1/articles:batch`` with 1,000-article batches.

In process (httpx over ASGI, no sockets), one batch at a time, into a fresh scratch
database: the figure is what one worker sustains for a pushing client, including JSON
parsing, validation, the upsert, search indexing and the changes log.

    python -m bench.rest_ingest sqlite:///bench/.cache/scratch/rest-ingest.db
    python -m bench.rest_ingest postgresql://127.0.0.1/bench_scratch_rest
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
import orjson

from api.app import create_app
from api.db import migrate
from api.domain.access.keys import create_key
from api.models import KeyScope
from api.settings import Settings
from bench.ingest_bench import make_items


async def run(url: str, batches: int, size: int) -> dict[str, float]:
    payloads = [orjson.dumps({"items": make_items("rest", b, size, 7)}) for b in range(batches)]
    app = create_app(Settings(database_url=url, rate_limit_enabled=False))
    async with app.router.lifespan_context(app):
        async with app.state.db.session(write=True) as session:
            _, token = await create_key(session, "bench", KeyScope.WRITE)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            seconds: list[float] = []
            for body in payloads:
                started = time.perf_counter()
                response = await http.post("/v1/articles:batch", content=body, headers=headers)
                seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text[:500]
                assert response.json()["errors"] == 0
    total = sum(seconds)
    return {
        "articles": batches * size,
        "seconds": round(total, 2),
        "articles_per_second": round(batches * size / total),
        "median_batch_seconds": round(statistics.median(seconds), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url", help="a scratch database; it is migrated first")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    migrate.upgrade(args.database_url)
    result = asyncio.run(run(args.database_url, args.batches, args.batch_size))
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
