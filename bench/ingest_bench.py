"""Bulk ingest throughput: the domain ``upsert_articles`` in 1,000-article batches.

Run as a subprocess by the harness (so its RSS is sampled like a server's) against a
scratch database; prints one JSON object. No REST write endpoint exists yet, so this
measures the domain call the ``broadsheet ingest`` CLI makes: each batch is validated
(``ArticleCreate``, as the CLI does per line), upserted and committed in its own
transaction. Items are generated: inline sources, categories and entities (created by the
first batch, then unchanged), 3-6 mentions each and a few links within the batch.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import time
from typing import Any

import orjson

from api.db.database import Database, create_async_db_engine
from api.domain.articles.inputs import ArticleCreate
from api.domain.articles.upsert import upsert_articles
from api.settings import get_settings

ENTITY_TYPES = ("company", "person", "organization", "country", "cryptocurrency", "product")
SENTIMENTS = ("bullish", "bearish", "neutral")
WORDS = (
    "market", "rally", "chip", "export", "ban", "token", "launch", "merger", "earnings",
    "guidance", "outlook", "rate", "cut", "inflation", "regulator", "probe", "lawsuit",
    "funding", "round", "layoffs", "partnership", "upgrade", "outage", "forecast", "surge",
    "slump", "record", "quarter", "revenue", "margin", "supply", "demand", "tariff",
)  # fmt: skip


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _refs(rng: random.Random) -> tuple[list[Any], list[Any], list[Any]]:
    sources = [
        {"slug": f"source-{i}", "name": f"Source {i}", "homepage_url": f"https://s{i}.example"}
        for i in range(40)
    ]
    categories = [{"slug": f"cat-{i}", "name": f"Category {i}", "icon": "*"} for i in range(10)]
    entities = [
        {"slug": f"entity-{i}", "name": f"Entity {i}", "type": rng.choice(ENTITY_TYPES)}
        for i in range(500)
    ]
    return sources, categories, entities


def make_items(run: str, batch: int, size: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"{seed}-{run}-{batch}")
    sources, categories, entities = _refs(random.Random(seed))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    items: list[dict[str, Any]] = []
    for i in range(size):
        url = f"https://news.example/{run}/{batch}/{i}"
        item: dict[str, Any] = {
            "url": url,
            "title": _sentence(rng, 8).rstrip("."),
            "source": rng.choice(sources),
            "category": rng.choice(categories),
            "author": "Editorial Team",
            "published_at": (start + dt.timedelta(minutes=rng.randrange(500_000))).isoformat(),
            "sentiment": rng.choice(SENTIMENTS),
            "sentiment_score": round(rng.uniform(-1, 1), 3),
            "importance": rng.randint(1, 10),
            "image_url": f"https://img.example/{run}/{batch}/{i}.jpg",
            "summary": " ".join(_sentence(rng, 12) for _ in range(5)),
            "analysis": [" ".join(_sentence(rng, 14) for _ in range(4)) for _ in range(4)],
            "key_takeaways": [_sentence(rng, 9) for _ in range(4)],
            "mentions": [
                {"entity": entity, "salience": round(rng.random(), 3)}
                for entity in rng.sample(entities, rng.randint(3, 6))
            ],
        }
        if i and rng.random() < 0.1:
            target = f"https://news.example/{run}/{batch}/{rng.randrange(i)}"
            item["links"] = [{"url": target, "kind": "follow_up"}]
        items.append(item)
    return items


async def run(url: str, run_id: str, batches: int, size: int, seed: int) -> dict[str, Any]:
    # Generate before timing: the figure is the service's work, not the generator's.
    payloads = [make_items(run_id, b, size, seed) for b in range(batches)]
    db = Database(create_async_db_engine(get_settings(), url=url))
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        for payload in payloads:
            t0 = time.perf_counter()
            items = [ArticleCreate.model_validate(item) for item in payload]
            async with db.session(write=True) as session:
                await upsert_articles(session, items)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
    finally:
        await db.dispose()
    return {"articles": batches * size, "seconds": elapsed, "batch_seconds": latencies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = asyncio.run(
        run(args.database_url, args.run_id, args.batches, args.batch_size, args.seed)
    )
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")


if __name__ == "__main__":
    main()
