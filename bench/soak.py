"""Soak: one worker under 64 connections for 30 s, per database; and what observability costs.

``python -m bench.soak [--backend both] [--overhead]`` builds (or reuses) a demo corpus,
serves it exactly as ``broadsheet serve`` does (JSON log line per request, /metrics on),
warms up, then drives wrk over a rotating mix of feed pages, article pages, searches and
GraphQL queries while sampling the server's RSS. Errors are socket errors, timeouts (30 s) and
non-2xx answers together, and must be 0. Anonymous rate limiting stays on with a quota no
single-address load test can reach (the default 600/min would answer 429s), and the wait
for a pooled connection is 30 s instead of 5 s.

``--overhead`` also measures what the request-context layer costs (bench/overhead.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bench.corpus import CACHE_DIR, Corpus, ensure_corpus, parse_size, read_fixtures, size_label
from bench.report import MB, _machine
from bench.scenarios import ARTICLE_QUERY, FEED_QUERY, _expand
from bench.server import ROOT, RssSampler, Server, http_get
from bench.wrk import HttpRequest, lua_script, run_wrk

ENV = {
    "BROADSHEET_DEBUG": "false",
    "BROADSHEET_RATE_LIMIT_ANONYMOUS": "1000000000/minute",
    # 64 connections, 20 pooled database connections, one worker on a shared 2-core
    # machine: the 5 s default wait for a pooled connection can run out.
    "BROADSHEET_POOL_TIMEOUT_SECONDS": "30",
}
FEED = "/v1/articles?limit=20"
# A slow answer is measured (it shows in p99), not dropped as a timeout at wrk's 5 s.
WRK_TIMEOUT_SECONDS = 30


def soak_corpus(backend: str, size: int, pg_url: str) -> Corpus:
    # Names of its own: never rebuilds a corpus another harness (or branch) keeps.
    if backend == "sqlite":
        return Corpus(backend, size, f"sqlite:///{CACHE_DIR / 'corpora' / f'soak-c{size}.db'}")
    return Corpus(backend, size, f"{pg_url.rstrip('/')}/bench_soak_c{size}")


def request_mix(corpus: Corpus) -> list[HttpRequest]:
    fx = read_fixtures(corpus)
    pages = [HttpRequest("GET", f"/v1/articles/{slug}") for slug in fx.article_slugs[:12]]
    searches = [HttpRequest("GET", f"/v1/search?q={t}&limit=20") for t in fx.search_terms[:6]]
    article_query = _expand(ARTICLE_QUERY)
    graphql = [
        HttpRequest("POST", "/graphql", orjson.dumps({"query": _expand(FEED_QUERY)})),
        *(
            HttpRequest(
                "POST", "/graphql", orjson.dumps({"query": article_query, "variables": {"slug": s}})
            )
            for s in fx.article_slugs[12:16]
        ),
    ]
    feeds = [HttpRequest("GET", FEED), HttpRequest("GET", f"{FEED}&order=importance")]
    # Interleaved so every stretch of the run sees every kind.
    mix: list[HttpRequest] = []
    groups = [pages, searches, graphql, feeds]
    for index in range(max(len(g) for g in groups)):
        mix.extend(g[index] for g in groups if index < len(g))
    return mix


def check(base_url: str, requests: list[HttpRequest]) -> None:
    import urllib.request

    for r in requests:
        call = urllib.request.Request(  # noqa: S310 (our URL)
            base_url + r.path, data=r.body, method=r.method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(call, timeout=30) as response:  # noqa: S310
            body = response.read()
        if r.body is not None and b'"errors"' in body:
            raise RuntimeError(f"GraphQL errors: {body[:300]!r}")


def metric_samples(base_url: str, name: str) -> list[Sample]:
    """The samples named ``name`` in the server's /metrics (none if it does not answer)."""
    status, body = http_get(base_url + "/metrics")
    if status != 200:
        return []
    families = text_string_to_metric_families(body.decode())
    return [sample for family in families for sample in family.samples if sample.name == name]


def server_counts(base_url: str) -> dict[str, float]:
    """Requests the server itself counted, by status class, from its /metrics."""
    counts: dict[str, float] = {}
    for sample in metric_samples(base_url, "broadsheet_http_requests_total"):
        klass = sample.labels["status"][0] + "xx"
        counts[klass] = counts.get(klass, 0) + sample.value
    return counts


def wait_for_drain(base_url: str, limit_seconds: float = 30.0) -> None:
    """Wait until the server has finished what the warm-up left running.

    wrk drops its connections when its time is up, but the server finishes the requests
    already in progress; a run started at once found up to twice its connections in
    flight and was refused by the admission limit (measured: thousands of instant 503s).
    """
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        samples = metric_samples(base_url, "broadsheet_http_requests_in_flight")
        if sum(sample.value for sample in samples) <= 1:  # the scrape itself
            return
        time.sleep(0.2)


@dataclass(slots=True)
class Soak:
    backend: str
    corpus: str
    seconds: float
    connections: int
    requests: int
    rps: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    peak_rss_mb: float
    server_counts: dict[str, float] = field(default_factory=dict)
    access_log_lines: int = 0


def log_config_file() -> Path:
    from api.observability.logging_setup import logging_config

    path = CACHE_DIR / "soak" / "logging.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(logging_config("info", "json")))
    return path


def serve(target: str, corpus: Corpus, log: Path) -> Server:
    env = {**ENV, "DATABASE_URL": corpus.url}
    extra = ("--log-config", str(log_config_file()))
    return Server(target, workers=1, env=env, log_path=log, extra_args=extra)


def soak(corpus: Corpus, args: argparse.Namespace, say: Any) -> Soak:
    say(f"{corpus.label}: corpus {ensure_corpus(corpus, say)}")
    mix = request_mix(corpus)
    script = CACHE_DIR / "soak" / f"mix-{corpus.backend}.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(lua_script(mix))
    log = CACHE_DIR / "soak" / f"server-{corpus.backend}.log"
    with serve("api.app:create_app", corpus, log) as server:
        check(server.base_url, mix)
        with RssSampler(server.pid) as rss:
            run_wrk(
                server.base_url, script, seconds=3, connections=args.connections, threads=2,
                timeout_seconds=WRK_TIMEOUT_SECONDS,
            )  # fmt: skip
            wait_for_drain(server.base_url)
            rss.reset()
            before = server_counts(server.base_url)
            out = run_wrk(
                server.base_url, script, seconds=args.seconds, connections=args.connections,
                threads=2, timeout_seconds=WRK_TIMEOUT_SECONDS,
            )  # fmt: skip
            peak = rss.peak
        after = server_counts(server.base_url)
    counts = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    lines = sum(1 for line in log.read_text().splitlines() if '"broadsheet.access"' in line)
    result = Soak(
        corpus.backend, f"{size_label(corpus.size)} articles", out.seconds, args.connections,
        out.requests, out.rps, out.errors + out.non_2xx, out.p50_ms, out.p90_ms, out.p99_ms,
        out.max_ms, peak / MB, counts, lines,
    )  # fmt: skip
    say(
        f"{corpus.label}: {result.requests:,} requests, {result.errors} errors, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, RSS {result.peak_rss_mb:.0f} MB"
    )
    return result


def markdown(soaks: list[Soak], cost: dict[str, Any] | None, settings: dict[str, Any]) -> str:
    machine, load = settings["machine"], settings.get("load_average_1m_at_end", 0.0)
    lines = [
        f"# {'Soak' if soaks else 'Observability overhead'}, {settings['date']}",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores (shared with other work; 1-min "
        f"load average {load:.1f} at the end), commit {machine['commit']}.",
    ]
    if soaks:
        lines += [
            "",
            f"One uvicorn worker, {settings['connections']} connections, {settings['seconds']} s"
            " after a 3 s warm-up, wrk with 2 threads over a rotating mix (article pages, "
            "searches, GraphQL feed and article queries, REST feed pages). JSON access log and "
            "/metrics on, as `broadsheet serve` runs. Errors = socket errors + timeouts (30 s)"
            " + non-2xx.",
            "",
            "| database | corpus | requests | req/s | errors | p50 ms | p90 ms | p99 ms | "
            "max ms | peak RSS MB | server 5xx | log lines |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
    for s in soaks:
        lines.append(
            f"| {s.backend} | {s.corpus} | {s.requests:,} | {s.rps:,.0f} | {s.errors} | "
            f"{s.p50_ms:.1f} | {s.p90_ms:.1f} | {s.p99_ms:.1f} | {s.max_ms:.0f} | "
            f"{s.peak_rss_mb:.0f} | {s.server_counts.get('5xx', 0):.0f} | "
            f"{s.access_log_lines:,} |"
        )
    if cost is not None:
        lines += [
            "",
            "## What the request-context layer costs (REST feed, 16 connections, 10 s runs)",
            "",
            "Rounds alternate the order of the two servers. Server CPU per feed request is its"
            " process CPU across 200 serial requests after the run.",
            "",
            "| server | req/s (median) | p50 ms | req/s runs | server CPU us per feed request |",
            "| --- | ---: | ---: | --- | ---: |",
        ]
        for name in ("without", "with"):
            row = cost[name]
            lines.append(
                f"| {name} ids, log line, metrics | {row['rps']:,.0f} | {row['p50_ms']:.2f} | "
                f"{', '.join(f'{r:,.0f}' for r in row['runs_rps'])} | "
                f"{row['server_cpu_us_per_feed']:,.0f} |"
            )
        lines += ["", f"Throughput difference: {cost['cost_percent']:.1f} % (noisy machine)."]
        layer = cost["layer"]
        lines += [
            "",
            f"The layer's own CPU, measured around a bare ASGI answer ({layer['calls_per_round']:,}"
            f" calls a round, median): {layer['layer_us']:.1f} us per request, the JSON log line"
            " written to a file included",
        ]
        if "feed_cpu_us" in layer:
            lines[-1] += (
                f"; the server spends {layer['feed_cpu_us']:,.0f} us of CPU per feed request, so"
                f" the layer is {layer['cost_percent_of_feed']:.1f} % of it."
            )
        else:
            lines[-1] += "."
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--size", default="10k", help="corpus articles (10k)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--overhead", action="store_true", help="also measure the layer's cost")
    parser.add_argument("--overhead-rounds", type=int, default=3)
    parser.add_argument(
        "--overhead-only", action="store_true", help="no soak: overhead-<date>.md/.json only"
    )
    parser.add_argument("--pg-url", default="postgresql://127.0.0.1:5432")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    size = parse_size(args.size)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    corpora = [soak_corpus(b, size, args.pg_url) for b in backends]
    soaks = [] if args.overhead_only else [soak(corpus, args, say) for corpus in corpora]
    cost = None
    if args.overhead or args.overhead_only:
        from bench.overhead import layer_cost, overhead

        cost = overhead(corpora[0], args.overhead_rounds, say)
        cost["layer"] = layer_cost(args.overhead_rounds, cost.get("feed_cpu_us"), say)
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    settings = {
        "date": date,
        "command": "python -m bench.soak " + " ".join(sys.argv[1:] if argv is None else argv),
        "seconds": args.seconds,
        "connections": args.connections,
        "machine": _machine(),
        # Other work shares the machine: its load says how far the figures can be trusted.
        "load_average_1m_at_end": os.getloadavg()[0],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{'overhead' if args.overhead_only else 'soak'}-{date}"
    md, js = args.out / f"{stem}.md", args.out / f"{stem}.json"
    md.write_text(markdown(soaks, cost, settings))
    payload = {"settings": settings, "soaks": [asdict(s) for s in soaks], "overhead": cost}
    js.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    print(md.read_text())
    print(f"wrote {md} and {js}")
    return 0 if all(s.errors == 0 for s in soaks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
