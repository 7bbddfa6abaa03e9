"""``broadsheet ingest`` of a generated JSON Lines file: articles per second and peak RSS.

The file (``--articles`` lines of ``bench.ingest_bench``'s generator: inline sources,
categories and entities, 3-6 mentions, a few links, times spread over a year) is written
once to the cache; each run ingests it into a fresh scratch database as the CLI does, in a
child process whose peak RSS is read from the kernel. The rate excludes process start: a
run of an empty file (imports, engine, migrations check) is timed too and subtracted.

    python -m bench.cli_ingest --backend sqlite --articles 20000 --runs 2
    python -m bench.cli_ingest --backend postgresql --stories off
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from bench.corpus import BROADSHEET, CACHE_DIR, scratch_database
from bench.ingest_bench import make_items

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"


def ingest_file(articles: int) -> Path:
    path = CACHE_DIR / "ingest" / f"articles-{articles}.jsonl"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for batch in range((articles + 999) // 1000):
            for item in make_items("cli", batch, min(1000, articles - batch * 1000), seed=7):
                out.write(orjson.dumps(item) + b"\n")
    partial.rename(path)
    return path


def _run(url: str, path: Path, stories: bool) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``broadsheet ingest`` child."""
    env = {**os.environ, "DATABASE_URL": url, "BROADSHEET_STORIES_ENABLED": str(stories)}
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 (fixed argv)
        [str(BROADSHEET), "ingest", str(path)], env=env, stdout=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"broadsheet ingest failed ({child.returncode})")
    return elapsed, usage.ru_maxrss / 1024  # KiB on Linux


def measure(backend: str, articles: int, runs: int, stories: bool, pg_url: str) -> dict[str, Any]:
    path = ingest_file(articles)
    empty = CACHE_DIR / "ingest" / "empty.jsonl"
    empty.write_bytes(b"")
    results = []
    for _ in range(runs):
        url = scratch_database(backend, pg_url, "cli_ingest")
        startup, _ = _run(url, empty, stories)
        seconds, rss = _run(url, path, stories)
        work = seconds - startup
        results.append(
            {
                "seconds": round(work, 2),
                "startup_seconds": round(startup, 2),
                "articles_per_second": round(articles / work),
                "peak_rss_mb": round(rss),
            }
        )
    best = max(results, key=lambda r: r["articles_per_second"])
    return {"backend": backend, "articles": articles, "stories": stories, "runs": results,
            "best": best}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--stories", choices=("on", "off"), default="on")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args(argv)
    result = measure(args.backend, args.articles, args.runs, args.stories == "on", args.pg_url)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
