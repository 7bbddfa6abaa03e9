"""What the request-context layer (ids, timing, log line, metrics) costs: ``bench.soak --overhead``.

Two ways: the feed's req/s under wrk with and without the layer (servers alternating, order
swapped each round), and the layer's own CPU per request around a bare ASGI answer, which,
unlike req/s on a shared machine, is stable enough to quote.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from bench.corpus import CACHE_DIR, Corpus
from bench.server import http_get
from bench.soak import FEED, serve
from bench.wrk import HttpRequest, WrkResult, lua_script, run_wrk


def bare_app() -> Starlette:
    """The app without the request-context layer: the "before" of the overhead figure."""
    from api.app import create_app

    app = create_app()
    app.state.telemetry = None  # read when the middleware stack is built, on first request
    return app


def overhead(corpus: Corpus, rounds: int, say: Any) -> dict[str, Any]:
    """Feed req/s without and with the layer, alternating; medians of ``rounds`` runs each."""
    script = CACHE_DIR / "soak" / "feed.lua"
    script.write_text(lua_script([HttpRequest("GET", FEED)]))
    runs: dict[str, list[WrkResult]] = {"without": [], "with": []}
    targets = {"without": "bench.overhead:bare_app", "with": "api.app:create_app"}
    feed_cpu: dict[str, list[float]] = {"without": [], "with": []}
    for number in range(rounds):
        # Each round swaps the order (ABBA...): whoever runs second is not always the same.
        order = list(targets.items())
        for name, target in order if number % 2 == 0 else order[::-1]:
            log = CACHE_DIR / "soak" / f"overhead-{name}.log"
            with serve(target, corpus, log) as server:
                run_wrk(server.base_url, script, seconds=2, connections=16, threads=1)
                out = run_wrk(server.base_url, script, seconds=10, connections=16, threads=1)
                feed_cpu[name].append(feed_cpu_us(server.base_url, server.pid))
            runs[name].append(out)
            say(f"overhead round {number + 1} {name:>7}: {out.rps:,.0f} req/s p50 {out.p50_ms:.2f}")
    summary: dict[str, Any] = {}
    for name, results in runs.items():
        summary[name] = {
            "rps": statistics.median(r.rps for r in results),
            "p50_ms": statistics.median(r.p50_ms for r in results),
            "runs_rps": [round(r.rps, 1) for r in results],
            "server_cpu_us_per_feed": statistics.median(feed_cpu[name]),
        }
    summary["cost_percent"] = 100 * (1 - summary["with"]["rps"] / summary["without"]["rps"])
    summary["feed_cpu_us"] = summary["with"]["server_cpu_us_per_feed"]
    return summary


def layer_cost(rounds: int, feed_cpu_us: float | None, say: Any) -> dict[str, Any]:
    """CPU per request of the request-context layer alone, around a bare ASGI answer.

    Per-request CPU of a whole feed request varies by more than the layer costs on a shared
    machine; the layer's own cost is measured here directly (ids, timing, metrics, and the
    JSON log line written to a file, as in production).
    """
    import asyncio
    import logging.config

    from starlette.routing import Route
    from starlette.types import Message, Receive, Scope, Send

    from api.observability.logging_setup import logging_config
    from api.observability.metrics import Metrics
    from api.observability.request_context import RequestContextMiddleware

    config = logging_config("info", "json")
    log_file = CACHE_DIR / "soak" / "layer-cost.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    config["handlers"]["default"] = {
        "class": "logging.FileHandler", "filename": str(log_file), "mode": "w",
        "formatter": "default",
    }  # fmt: skip
    logging.config.dictConfig(config)
    route = Route("/v1/articles", lambda _r: None)

    async def bare(scope: Scope, _receive: Receive, send: Send) -> None:
        scope["route"] = route  # what the router leaves for the layer to read
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def discard(_message: Message) -> None:
        return None

    template: dict[str, Any] = {
        "type": "http", "method": "GET", "path": "/v1/articles", "query_string": b"limit=20",
        "headers": [(b"host", b"bench"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 40000), "scheme": "http", "http_version": "1.1",
    }  # fmt: skip
    layered = RequestContextMiddleware(bare, [route], Metrics(lambda: 0), None)
    calls = 20_000

    async def cpu_per_call(app: Any) -> float:
        started = time.process_time()
        for _ in range(calls):
            await app(dict(template), receive, discard)
        return (time.process_time() - started) / calls * 1e6

    samples: dict[str, list[float]] = {"bare": [], "layered": []}
    for number in range(rounds):
        for name, app in (("bare", bare), ("layered", layered)):
            samples[name].append(asyncio.run(cpu_per_call(app)))
        say(f"layer round {number + 1}: {samples['layered'][-1] - samples['bare'][-1]:.1f} us")
    layer_us = statistics.median(samples["layered"]) - statistics.median(samples["bare"])
    result: dict[str, Any] = {"calls_per_round": calls, "layer_us": layer_us}
    if feed_cpu_us:
        result["feed_cpu_us"] = feed_cpu_us
        result["cost_percent_of_feed"] = 100 * layer_us / feed_cpu_us
    return result


def feed_cpu_us(base_url: str, pid: int, requests: int = 200) -> float:
    """Server CPU per feed request: its process CPU time across a run of serial requests."""

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = cpu()
    for _ in range(requests):
        http_get(base_url + FEED)
    return (cpu() - before) / requests * 1e6
