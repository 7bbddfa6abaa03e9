"""Broadsheet behind the reference Varnish: a feed page's latency as a miss and as a hit,
and how long a write takes to show through the cache (purge on write).

    .venv/bin/python bench/cache_behind_varnish.py [--articles 500] [--samples 200] [--writes 20]

A fresh SQLite demo corpus, one ``uvicorn api.app:create_app`` worker whose purges
(``BROADSHEET_CACHE_PURGE_URLS``) go to a ``varnishd`` running deploy/varnish/broadsheet.vcl.
A miss is timed right after purging ``feed`` by hand, the hit just after it. A write is a
PATCH of an article's title through the cache; "fresh" is the first moment both its page
and the feed's first page, polled through the cache every 5 ms, show the new title.
Prints a Markdown table (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from api.db import migrate
from api.db.database import Database, create_async_db_engine, create_sync_db_engine
from api.demo import generate_demo
from api.domain.access.keys import create_key
from api.models import KeyScope
from api.settings import Settings
from bench.server import ROOT, Server, free_port

VCL = ROOT / "deploy" / "varnish" / "broadsheet.vcl"


async def _write_key(url: str) -> str:
    database = Database(create_async_db_engine(Settings(database_url=url)))
    try:
        async with database.session(write=True) as session:
            _, token = await create_key(session, "bench", KeyScope.WRITE)
    finally:
        await database.dispose()
    return token


def _varnish(workdir: Path, port: int, backend_port: int) -> subprocess.Popen[bytes]:
    vcl = workdir / "broadsheet.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    command = ["varnishd", "-F", "-j", "none", "-n", str(workdir / "varnish")]
    command += ["-a", f"127.0.0.1:{port}", "-T", "127.0.0.1:0", "-f", str(vcl)]
    command += ["-s", "malloc,256m"]
    return subprocess.Popen(  # noqa: S603 (fixed argv)
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples) * 1000:.1f} "
        f"| {p95 * 1000:.1f} | {ordered[-1] * 1000:.1f} |"
    )


def run(articles: int, samples: int, writes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.db'}"
        migrate.upgrade(url)
        engine = create_sync_db_engine(Settings(database_url=url))
        generate_demo(engine, articles=articles, seed=7, if_empty=False, progress=False)
        engine.dispose()
        token = asyncio.run(_write_key(url))
        varnish_port = free_port()
        env = {
            "DATABASE_URL": url,
            "BROADSHEET_CACHE_PURGE_URLS": f'["http://127.0.0.1:{varnish_port}/"]',
            "BROADSHEET_WEBHOOK_WORKER": "true",
            "BROADSHEET_RATE_LIMIT_ENABLED": "false",
        }
        server = Server("api.app:create_app", workers=1, env=env, log_path=work / "app.log")
        varnish = _varnish(work, varnish_port, server.port)
        try:
            with server, httpx.Client(base_url=f"http://127.0.0.1:{varnish_port}") as cache:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if cache.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert time.monotonic() < deadline, "Varnish never reached the app"
                    time.sleep(0.2)
                _measure(cache, token, samples, writes)
        finally:
            varnish.terminate()
            varnish.wait(10)


def _measure(cache: httpx.Client, token: str, samples: int, writes: int) -> None:
    misses: list[float] = []
    hits: list[float] = []
    for _ in range(samples):
        assert cache.request("PURGE", "/", headers={"xkey-purge": "feed"}).status_code == 200
        for into, expected in ((misses, "MISS"), (hits, "HIT")):
            started = time.perf_counter()
            response = cache.get("/v1/articles")
            into.append(time.perf_counter() - started)
            assert response.headers["x-cache"] == expected, response.headers
    article = cache.get("/v1/articles", params={"limit": 1}).json()["items"][0]["id"]
    auth = {"Authorization": f"Bearer {token}"}
    fresh: list[float] = []
    for n in range(writes):
        page = cache.get(f"/v1/articles/{article}")
        title = f"Bench title {n}"
        patched = cache.patch(
            f"/v1/articles/{article}",
            json={"title": title},
            headers=auth
            | {"If-Match": cache.get(f"/v1/articles/{article}", headers=auth).headers["etag"]},
        )
        assert patched.status_code == 200, patched.text
        written = time.perf_counter()
        while not (
            title in cache.get(f"/v1/articles/{article}").text
            and title in cache.get("/v1/articles").text
        ):
            assert time.perf_counter() - written < 10, "never fresh"
            time.sleep(0.005)
        fresh.append(time.perf_counter() - written)
        assert page.status_code == 200
    print("| through Varnish | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(_summary("feed page, miss (after a purge)", misses))
    print(_summary("feed page, hit", hits))
    print(_summary("PATCH -> page and feed fresh", fresh))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    run(args.articles, args.samples, args.writes)


if __name__ == "__main__":
    main()
