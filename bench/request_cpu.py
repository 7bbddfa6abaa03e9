"""Per-request CPU in process: the app's hot pages against their raw-driver baselines.

Req/s under wrk on a shared 2-core machine moves with whatever else runs there; the CPU
one request costs the serving thread (``time.thread_time``) moves much less. Each round
sends ``--requests`` requests to every target through its ASGI callable, in an order
rotated from round to round, with no HTTP in between: this is what the app costs over B2,
not what uvicorn and the kernel cost both (a fixed amount per request, which req/s ratios
include). On PostgreSQL served from this machine, the CPU its backends spend for the
corpus's database is read from /proc (``schedstat``) around each round too: what a request
costs the database server, for capacity planning (docs/scaling.md).

    python -m bench.request_cpu --backend sqlite --size 10k
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from bench.corpus import corpus_for, ensure_corpus, read_fixtures
from bench.scenarios import ARTICLE_QUERY, CARD, CONNECTION, FEED_LIMIT, FEED_QUERY

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
FEED_GRAPHQL = (
    FEED_QUERY.replace("CONNECTION", CONNECTION)
    .replace("CARD", CARD)
    .replace("LIMIT", str(FEED_LIMIT))
)
ARTICLE_GRAPHQL = ARTICLE_QUERY.replace("CARD", CARD)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: bytes = b""
    body: bytes = b""


async def call(
    app: ASGI, request: Call, extra_headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, bytes]:
    headers = [(b"host", b"localhost"), (b"user-agent", b"bench"), *(extra_headers or [])]
    if request.body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(request.body)).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    delivered = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # no disconnect while the request runs
        delivered = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _targets(slugs: list[str]) -> dict[str, tuple[str, list[Call]]]:
    feed = [Call("GET", "/v1/articles", f"limit={FEED_LIMIT}".encode())]
    pages = [Call("GET", f"/v1/articles/{slug}") for slug in slugs]
    graphql_pages = [
        Call(
            "POST",
            "/graphql",
            body=orjson.dumps({"query": ARTICLE_GRAPHQL, "variables": {"slug": s}}),
        )
        for s in slugs
    ]
    graphql_feed = [Call("POST", "/graphql", body=orjson.dumps({"query": FEED_GRAPHQL}))]
    return {
        "B2": ("b2", feed),
        "rest.feed": ("app", feed),
        "graphql.feed": ("app", graphql_feed),
        "B2.article": ("b2_article", pages),
        "rest.article": ("app", pages),
        "graphql.article": ("app", graphql_pages),
    }


def database_cpu_ns(url: str) -> int | None:
    """CPU the local PostgreSQL backends serving ``url``'s database have used, or None."""
    if not url.startswith("postgresql"):
        return None
    import psycopg

    admin, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
            pids = [
                row[0]
                for row in connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
                )
            ]
    except psycopg.OperationalError:
        return None
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as stat:  # ns on CPU, first field
                total += int(stat.read().split()[0])
        except OSError:
            return None  # not on this machine, or not readable: no figure rather than a wrong one
    return total


async def measure(
    url: str, slugs: list[str], rounds: int, requests: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median µs of thread CPU per request by target, and of database CPU where readable."""
    from api.app import create_app
    from api.settings import Settings
    from bench import baselines

    os.environ["BENCH_DATABASE_URL"] = url
    apps: dict[str, Any] = {
        "app": create_app(
            Settings(database_url=url, rate_limit_anonymous="1000000000/minute", debug=False)
        ),
        "b2": baselines.b2(),
        "b2_article": baselines.b2_article(),
    }
    targets = _targets(slugs)
    samples: dict[str, list[float]] = {name: [] for name in targets}
    database: dict[str, list[float]] = {name: [] for name in targets}
    async with (
        apps["app"].router.lifespan_context(apps["app"]),
        apps["b2"].router.lifespan_context(apps["b2"]),
        apps["b2_article"].router.lifespan_context(apps["b2_article"]),
    ):
        for name, (app, calls) in targets.items():  # warm every cache, check the answers
            for request in calls * 3:
                status, body = await call(apps[app], request)
                if status != 200 or b'"errors"' in body[:20]:
                    raise RuntimeError(f"{name}: {status} {body[:200]!r}")
        names = list(targets)
        for number in range(rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                app, calls = targets[name]
                backends = database_cpu_ns(url)
                started = time.thread_time()
                for index in range(requests):
                    await call(apps[app], calls[index % len(calls)])
                samples[name].append((time.thread_time() - started) / requests * 1e6)
                after = database_cpu_ns(url)
                if backends is not None and after is not None:
                    database[name].append((after - backends) / requests / 1e3)
    return (
        {name: statistics.median(values) for name, values in samples.items()},
        {name: statistics.median(values) for name, values in database.items() if values},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", choices=tuple(SIZES), default="10k")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://127.0.0.1:5432")
    )
    args = parser.parse_args()
    corpus = corpus_for(args.backend, SIZES[args.size], args.pg_url)
    ensure_corpus(corpus)
    slugs = list(read_fixtures(corpus).article_slugs)
    cpu, database = asyncio.run(measure(corpus.url, slugs, args.rounds, args.requests))
    print(f"{args.backend} {args.size}: thread CPU per request, median of {args.rounds} rounds")
    for name, baseline in (
        ("rest.feed", "B2"),
        ("graphql.feed", "B2"),
        ("rest.article", "B2.article"),
        ("graphql.article", "B2.article"),
    ):
        print(
            f"  {name:<16} {cpu[name]:7.0f} us   {baseline:<10} {cpu[baseline]:7.0f} us"
            f"   {baseline} / {name} = {cpu[baseline] / cpu[name]:.2f}"
        )
    if database:
        print("database server CPU per request (PostgreSQL backends, same rounds)")
        for name, value in database.items():
            print(f"  {name:<16} {value:7.0f} us")


if __name__ == "__main__":
    main()
