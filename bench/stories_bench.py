"""Stories: clustering quality against the demo's ground truth, and what clustering costs.

``python -m bench.stories_bench --backend sqlite --sizes 10k,100k`` (or ``scripts/bench
--stories``). Per size and backend, on scratch databases:

1. *quality of the demo*: ``generate_demo`` (which clusters as it loads) and the stored
   stories scored against ``api.demo.truth``: pairwise precision/recall, B-cubed F1;
2. *ingest cost*: the same demo articles pushed through the domain ``upsert_articles`` in
   1,000-article batches (what ``broadsheet ingest`` and ``POST /v1/articles:batch`` call),
   once with stories on and once off (``BROADSHEET_STORIES_ENABLED``, each in its own
   process), the quality of the ingested stories scored again;
3. *per-article cost*: then ``SINGLES`` more articles written one transaction each, as
   through the API; p50/p95 per write, on and off.

Prints one JSON object per (backend, size) and writes them to ``--out`` if given.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from api.db import migrate
from api.db.database import Database, create_async_db_engine, create_sync_db_engine
from api.demo import generate_demo
from api.demo.catalog import build_catalog
from api.demo.generator import ArticleGenerator, window_start
from api.demo.text import TextFactory
from api.demo.truth import true_stories
from api.domain.articles.inputs import ArticleCreate
from api.domain.articles.upsert import upsert_articles
from api.domain.stories.clustering_quality import Quality, evaluate
from api.settings import Settings, get_settings
from bench.corpus import CACHE_DIR, parse_size, reset_database, size_label

SEED = 1
BATCH = 1_000
SINGLES = 200
ROOT = Path(__file__).resolve().parent.parent


def _quality(q: Quality) -> dict[str, float]:
    return {
        "pairwise_precision": round(q.precision, 4),
        "pairwise_recall": round(q.recall, 4),
        "pairwise_f1": round(q.f1, 4),
        "bcubed_precision": round(q.bcubed_precision, 4),
        "bcubed_recall": round(q.bcubed_recall, 4),
        "bcubed_f1": round(q.bcubed_f1, 4),
    }


def _stored(url: str, by: str) -> dict[Any, int]:
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                f"SELECT a.{by}, m.story_id FROM story_members m "  # noqa: S608 (fixed names)
                "JOIN articles a ON a.id = m.article_id"
            )
        ).all()
    engine.dispose()
    return {key: story for key, story in rows}


def demo_quality(url: str, size: int) -> dict[str, Any]:
    reset_database(url)
    migrate.upgrade(url)
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    started = time.perf_counter()
    stats = generate_demo(engine, articles=size, seed=SEED, if_empty=False, progress=False)
    seconds = time.perf_counter() - started
    engine.dispose()
    truth = true_stories(size, SEED)
    quality = evaluate(_stored(url, "id"), truth)
    return {"demo_seconds": round(seconds, 1), "stories": stats.stories} | _quality(quality)


def _payloads(size: int) -> tuple[list[list[dict[str, Any]]], dict[str, int]]:
    """The demo's articles as ingest items in batches, and the true story of each URL."""
    catalog = build_catalog(SEED, window_start(size) - dt.timedelta(days=30))
    generator = ArticleGenerator(catalog, TextFactory(SEED), seed=SEED, total=size)
    sources = [{k: s[k] for k in ("slug", "name", "homepage_url")} for s in catalog.sources]
    categories = {c["id"]: {k: c[k] for k in ("slug", "name", "icon")} for c in catalog.categories}
    entities = [
        {"slug": e["slug"], "name": e["name"], "type": str(e["type"])} for e in catalog.entities
    ]
    items: list[dict[str, Any]] = []
    mentions: dict[int, list[dict[str, Any]]] = {}
    for batch in generator.batches(BATCH):
        for m in batch.mentions:
            mentions.setdefault(m["article_id"], []).append(
                {"entity": entities[m["entity_id"] - 1], "salience": m["salience"]}
            )
        for a in batch.articles:
            items.append(
                {
                    "url": a["url"],
                    "title": a["title"],
                    "summary": a["summary"],
                    "source": sources[a["source_id"] - 1],
                    "category": categories[a["category_id"]],
                    "published_at": a["published_at"].isoformat(),
                    "importance": a["importance"],
                    "sentiment": str(a["sentiment"]),
                    "sentiment_score": a["sentiment_score"],
                    "language": a["language"],
                    "mentions": mentions.pop(a["id"], []),
                }
            )
    truth = generator.desk.truth
    story = {item["url"]: truth[i] or -i for i, item in enumerate(items, start=1)}
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)], story


async def _ingest(url: str, size: int) -> dict[str, Any]:
    batches, truth = _payloads(size)
    singles = batches[-1][-SINGLES:]
    batches[-1] = batches[-1][:-SINGLES]
    db = Database(create_async_db_engine(get_settings(), url=url))
    try:
        started = time.perf_counter()
        for payload in batches:
            items = [ArticleCreate.model_validate(item) for item in payload]
            async with db.session(write=True) as session:
                await upsert_articles(session, items)
        bulk = time.perf_counter() - started
        latencies = []
        for raw in singles:
            t0 = time.perf_counter()
            item = ArticleCreate.model_validate(raw)
            async with db.session(write=True) as session:
                await upsert_articles(session, [item])
            latencies.append(time.perf_counter() - t0)
    finally:
        await db.dispose()
    latencies.sort()
    result: dict[str, Any] = {
        "bulk_articles": size - SINGLES,
        "bulk_seconds": round(bulk, 2),
        "single_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "single_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
    }
    if get_settings().stories_enabled:
        result |= _quality(evaluate(_stored(url, "url"), truth))
    return result


def ingest_cost(url: str, size: int, enabled: bool) -> dict[str, Any]:
    """One ingest run in a child process: the setting is read once per process."""
    reset_database(url)
    migrate.upgrade(url)
    env = {**os.environ, "BROADSHEET_STORIES_ENABLED": "true" if enabled else "false"}
    command = [sys.executable, "-m", "bench.stories_bench", "--ingest-only", url, str(size)]
    done = subprocess.run(  # noqa: S603 (fixed argv)
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def scratch_url(backend: str, pg_url: str, name: str) -> str:
    if backend == "sqlite":
        (CACHE_DIR / "scratch").mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{CACHE_DIR / 'scratch' / f'{name}.db'}"
    return f"{pg_url.rstrip('/')}/bench_scratch_{name}"


def run(backend: str, size: int, pg_url: str, skip_ingest: bool) -> dict[str, Any]:
    label = size_label(size)
    result: dict[str, Any] = {"backend": backend, "size": label}
    result["demo"] = demo_quality(scratch_url(backend, pg_url, f"stories_demo_{label}"), size)
    if not skip_ingest:
        url = scratch_url(backend, pg_url, f"stories_ingest_{label}")
        on, off = ingest_cost(url, size, True), ingest_cost(url, size, False)
        result["ingest_on"], result["ingest_off"] = on, off
        result["bulk_added_pct"] = round(100 * (on["bulk_seconds"] / off["bulk_seconds"] - 1), 1)
        result["single_p95_added_ms"] = round(on["single_p95_ms"] - off["single_p95_ms"], 2)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--ingest-only"]:
        print(json.dumps(asyncio.run(_ingest(argv[1], int(argv[2])))))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.stories_bench", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--pg-url", default="postgresql://127.0.0.1:5432")
    parser.add_argument("--no-ingest", action="store_true", help="quality of the demo only")
    parser.add_argument("--out", type=Path, default=None, help="write stories.json here")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = []
    for backend in backends:
        for size in (parse_size(s) for s in args.sizes.split(",")):
            result = run(backend, size, args.pg_url, args.no_ingest)
            print(json.dumps(result), flush=True)
            results.append(result)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "stories.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
