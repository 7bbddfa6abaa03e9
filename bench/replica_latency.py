"""What routing reads to a healthy replica adds to a feed request's latency.

A private primary and a streaming standby (``pg_basebackup -R``, as the replica tests make
them) hold a demo corpus. Two apps run in this process on the same primary: one without
replicas, one with the standby in ``replica_urls``; and the replica app is also asked with
a ``Broadsheet-Position`` the standby has applied (a writer's reads). Each round sends
``--requests`` feed requests (REST and GraphQL) to each, in an order rotated from round to
round, through the ASGI callable (no HTTP). Two figures, each the median of the rounds'
means: wall-clock latency (what a client waits; both servers are on this machine, so it
shows the routing's cost plus whatever separates two equal servers, not a network hop),
and this thread's CPU per request (the routing's own cost, steadier on a shared machine).

    python -m bench.replica_latency --articles 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import time

import orjson
import psycopg

from api.db.database import Database
from api.db.replicas import forget_must_see, must_see
from bench.request_cpu import FEED_GRAPHQL, Call, call
from bench.scenarios import FEED_LIMIT
from tests.fixtures.pg_cluster import Cluster, server_binaries, standby_of


def _load(primary: Cluster, articles: int) -> str:
    url = primary.url("broadsheet")
    with psycopg.connect(primary.url(), autocommit=True, connect_timeout=10) as admin:
        admin.execute("CREATE DATABASE broadsheet")
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["migrate"], ["demo", "--articles", str(articles), "--no-progress"]):
        subprocess.run([".venv/bin/broadsheet", *command], check=True, env=env)  # noqa: S603
    return url


def _last_seq(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
        return int(row[0]) if row else 0


async def measure(
    primary_url: str, replica_url: str, rounds: int, requests: int
) -> dict[str, tuple[float, float]]:
    from api.app import create_app
    from api.settings import Settings

    limit = "1000000000/minute"
    plain = create_app(Settings(database_url=primary_url, rate_limit_anonymous=limit))
    routed = create_app(
        Settings(database_url=primary_url, replica_urls=[replica_url], rate_limit_anonymous=limit)
    )
    position = str(_last_seq(primary_url))
    feed = Call("GET", "/v1/articles", f"limit={FEED_LIMIT}".encode())
    graphql = Call("POST", "/graphql", body=orjson.dumps({"query": FEED_GRAPHQL}))
    targets = {
        f"{kind}.{where}": (app, request, headers)
        for kind, request in (("rest", feed), ("graphql", graphql))
        for where, app, headers in (
            ("primary", plain, []),
            ("replica", routed, []),
            ("replica+position", routed, [(b"broadsheet-position", position.encode())]),
        )
    }
    samples: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    async with plain.router.lifespan_context(plain), routed.router.lifespan_context(routed):
        replicas = routed.state.db.replicas
        await replicas.check_now()
        if not replicas.replicas[0].healthy:
            raise RuntimeError("the standby is not in use")
        for name, (app, request, headers) in targets.items():  # warm up, check answers
            for _ in range(50):
                status, body = await call(app, request, headers)
                if status != 200 or b'"errors"' in body[:20]:
                    raise RuntimeError(f"{name}: {status} {body[:200]!r}")
        names = list(targets)
        for number in range(rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                app, request, headers = targets[name]
                started, started_cpu = time.perf_counter(), time.thread_time()
                for _ in range(requests):
                    await call(app, request, headers)
                samples[name].append((time.perf_counter() - started) / requests * 1e6)
                cpu[name].append((time.thread_time() - started_cpu) / requests * 1e6)
        choices = {
            "primary": await _choice_us(plain.state.db, None),
            "replica": await _choice_us(routed.state.db, None),
            "replica+position": await _choice_us(routed.state.db, int(position)),
        }
    figures = {
        name: (statistics.median(samples[name]), statistics.median(cpu[name])) for name in targets
    }
    return figures | {f"choice.{where}": (us, us) for where, us in choices.items()}


async def _choice_us(database: Database, position: int | None, times: int = 20_000) -> float:
    """Thread CPU of choosing where one hot read runs (``Database.reads``), in µs."""
    token = must_see(position)
    try:
        started = time.thread_time()
        for _ in range(times):
            async with database.reads():
                pass
        return (time.thread_time() - started) / times * 1e6
    finally:
        forget_must_see(token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("PostgreSQL server binaries are not installed")
    primary = Cluster(binaries)
    standby: Cluster | None = None
    try:
        primary.init()
        primary.start()
        url = _load(primary, args.articles)
        standby = standby_of(primary)
        standby.start()
        replica_url = standby.url("broadsheet")
        deadline = time.monotonic() + 60
        while _last_seq(replica_url) < _last_seq(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        figures = asyncio.run(measure(url, replica_url, args.rounds, args.requests))
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()
    print(
        f"{args.articles} articles; per request, in process, median of {args.rounds} rounds"
        f" x {args.requests} requests: wall-clock latency, and CPU of this thread"
    )
    for kind in ("rest", "graphql"):
        wall0, cpu0 = figures[f"{kind}.primary"]
        for where in ("primary", "replica", "replica+position"):
            wall, cpu = figures[f"{kind}.{where}"]
            print(
                f"  {kind}.feed {where:<17} {wall:7.0f} us {100 * (wall / wall0 - 1):+6.1f} %"
                f"   cpu {cpu:6.0f} us {100 * (cpu / cpu0 - 1):+6.1f} %"
            )
    print("choosing where a hot read runs (Database.reads), thread CPU per request:")
    for where in ("primary", "replica", "replica+position"):
        print(f"  {where:<17} {figures[f'choice.{where}'][1]:6.2f} us")


if __name__ == "__main__":
    main()
