"""Build corpora, serve them, drive wrk, measure the baselines, write the report."""

from __future__ import annotations

import argparse
import functools
import shlex
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson

from bench import peer
from bench import report as rep
from bench.corpus import (
    CACHE_DIR,
    Corpus,
    corpus_for,
    ensure_corpus,
    parse_size,
    read_fixtures,
    scratch_database,
    size_label,
)
from bench.paced import paced
from bench.scenarios import (
    PEER_SCENARIO,
    Scenario,
    app_scenarios,
    baseline_scenarios,
    peer_scenarios,
)
from bench.server import ROOT, RssSampler, Server, http_get, http_post_json
from bench.wrk import INSTALL_HINT, HttpRequest, lua_script, run_wrk, wrk_path

QUICK_SIZE = 2_000
BASELINE_TARGETS = {
    "b0": "bench.baselines:b0",
    "b1": "bench.baselines:b1",
    "b2": "bench.baselines:b2",
    "b2_article": "bench.baselines:b2_article",
}


class Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: REST feed, article, GraphQL feed, B2 (and PostGraphile on PostgreSQL)",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default=None)
    parser.add_argument("--sizes", default=None, help="corpus sizes (default 10k,100k,1m)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (default 1)")
    parser.add_argument("--duration", type=int, default=None, help="seconds per run (10)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up seconds (3)")
    parser.add_argument("--runs", type=int, default=None, help="runs per scenario (3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument(
        "--paced-fraction",
        type=float,
        default=0.5,
        help="search and related also run open loop at this share of their peak req/s (0.5)",
    )
    parser.add_argument(
        "--paced-duration",
        type=int,
        default=None,
        help="seconds of each open-loop run (default: --duration); p99 needs a few hundred",
    )
    parser.add_argument("--scenarios", default=None, help="only these, by name prefix: rest,B2")
    parser.add_argument("--ingest-batches", type=int, default=10, help="1,000-article batches")
    parser.add_argument("--no-ingest", action="store_true", help="skip bulk ingest")
    parser.add_argument(
        "--stories",
        action="store_true",
        help="only the stories scenario (bench.stories_bench): clustering quality against "
        "the demo's ground truth, ingest cost with stories on vs off (sizes default 10k,100k)",
    )
    parser.add_argument("--pg-url", default="postgresql://127.0.0.1:5432", help="server URL")
    parser.add_argument("--out", type=Path, default=None, help="report directory")
    args = parser.parse_args(argv)
    quick = args.quick
    args.backend = args.backend or ("sqlite" if quick else "both")
    args.sizes = args.sizes or (str(QUICK_SIZE) if quick else "10k,100k,1m")
    args.duration = args.duration or (5 if quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.runs = args.runs or (1 if quick else 3)
    args.out = (
        args.out or (CACHE_DIR / "quick" if quick else ROOT / "bench" / "results")
    ).resolve()
    return args


def _selected(scenarios: list[Scenario], args: argparse.Namespace) -> list[Scenario]:
    if args.quick and args.scenarios is None:
        return [s for s in scenarios if s.quick]
    if args.scenarios is None:
        return scenarios
    prefixes = tuple(p.strip() for p in args.scenarios.split(",") if p.strip())
    return [s for s in scenarios if s.name.startswith(prefixes)]


def _check(base_url: str, request: HttpRequest) -> tuple[str, int]:
    """Why a scenario's first request is unfit to measure ("" if fit), and its answer's size."""
    call = urllib.request.Request(  # noqa: S310 (our URL)
        base_url + request.path,
        data=request.body,
        method=request.method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(call, timeout=30) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} on {request.method} {request.path[:60]}", 0
    if request.body is not None and b'"errors"' in body[:2000]:
        return f"GraphQL errors: {body[:300].decode(errors='replace')}", len(body)
    return "", len(body)


def measure(
    server: Server, scenario: Scenario, args: argparse.Namespace, tag: str, progress: Progress
) -> rep.Measurement:
    result = rep.Measurement(scenario.name, scenario.target, scenario.description)
    if scenario.probe is not None and http_get(server.base_url + scenario.probe)[0] == 404:
        result.note = f"skipped: {scenario.probe.split('?')[0]} answers 404 (not built yet)"
        progress(f"{tag} {scenario.name}: {result.note}")
        return result
    problem, result.response_bytes = _check(server.base_url, scenario.requests[0])
    if problem:
        result.note = f"skipped: {problem}"
        progress(f"{tag} {scenario.name}: {result.note}")
        return result
    script = CACHE_DIR / "lua" / f"{scenario.name}.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(lua_script(scenario.requests))
    wrk_opts = {"connections": args.connections, "threads": args.threads}
    with RssSampler(server.pid) as rss:
        if args.warmup:
            run_wrk(server.base_url, script, seconds=args.warmup, **wrk_opts)
        for number in range(1, args.runs + 1):
            rss.reset()
            out = run_wrk(server.base_url, script, seconds=args.duration, **wrk_opts)
            run = rep.Run(
                rps=out.rps,
                p50_ms=out.p50_ms,
                p99_ms=out.p99_ms,
                peak_rss_mb=rss.peak / rep.MB,
                requests=out.requests,
                errors=out.errors,
                non_2xx=out.non_2xx,
            )
            result.runs.append(run)
            progress(
                f"{tag} {scenario.name:<24} run {number}/{args.runs}: {run.rps:>9,.0f} req/s  "
                f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:7.2f} ms  "
                f"RSS {run.peak_rss_mb:5.0f} MB"
            )
        if scenario.paced and result.measured and result.rps * args.paced_fraction > 0:
            rate = result.rps * args.paced_fraction
            # wrk leaves up to one request per connection running in the server: let them
            # finish (at peak rate) so the paced run does not start queued behind them.
            time.sleep(min(5.0, args.connections / result.rps + 0.5))
            result.paced = paced(
                server.base_url,
                scenario.requests,
                rate=rate,
                seconds=args.paced_duration or args.duration,
                connections=args.connections,
            )
            p = result.paced
            progress(
                f"{tag} {scenario.name:<24} paced {rate:,.0f}/s: {p.achieved_rps:>7,.0f} req/s  "
                f"p50 {p.p50_ms:6.2f} ms  p99 {p.p99_ms:7.2f} ms  max {p.max_ms:7.2f} ms  "
                f"errors {p.errors}  non-2xx {p.non_2xx}"
                + ("  CLIENT-BOUND (generator behind schedule)" if p.client_saturated else "")
            )
    failures = sum(r.errors + r.non_2xx for r in result.runs)
    if failures:
        result.note = f"{failures:,} errors or non-2xx of {sum(r.requests for r in result.runs):,}"
    return result


def bench_corpus(corpus: Corpus, args: argparse.Namespace, progress: Progress) -> rep.Section:
    tag = f"{corpus.backend} {size_label(corpus.size)}"
    progress(f"{tag}: checking corpus {corpus.url}")
    section = rep.Section(corpus.backend, corpus.size, ensure_corpus(corpus, progress))
    progress(f"{tag}: corpus {section.corpus_note}; reading fixtures")
    fixtures = read_fixtures(corpus)
    logs = CACHE_DIR / "logs"
    env = {
        "DATABASE_URL": corpus.url,
        "BROADSHEET_DEBUG": "false",
        # Load from one address: the limiter still counts every request (its cost is
        # measured) but never answers 429, which would measure the refusal instead.
        "BROADSHEET_RATE_LIMIT_ANONYMOUS": "1000000000/minute",
    }
    body_file = CACHE_DIR / "bodies" / f"feed-{corpus.backend}-c{corpus.size}.json"
    with Server(
        "api.app:create_app", workers=args.workers, env=env, log_path=logs / "app.log"
    ) as app:
        status, body = http_get(app.base_url + "/v1/articles?limit=20")
        if status != 200:
            raise RuntimeError(f"feed answered {status}: {body[:300]!r}")
        # B0 and B1 serve exactly these bytes.
        body_file.parent.mkdir(parents=True, exist_ok=True)
        body_file.write_bytes(body)
        scenarios = app_scenarios(fixtures)
        for scenario in _selected(scenarios, args):
            section.measurements.append(measure(app, scenario, args, tag, progress))
        # The peer's answer is checked against this one before it is measured.
        feed = next(s for s in scenarios if s.name == "graphql.feed").requests[0]
        status, body = http_post_json(app.base_url + feed.path, feed.body or b"")
        ours = body if status == 200 else None
    base_env = {"BENCH_BODY_FILE": str(body_file), "BENCH_DATABASE_URL": corpus.url}
    for scenario in _selected(baseline_scenarios(fixtures), args):
        target = BASELINE_TARGETS[scenario.target]
        log = logs / f"{scenario.target}.log"
        with Server(target, workers=args.workers, env=base_env, log_path=log) as server:
            section.measurements.append(measure(server, scenario, args, tag, progress))
    run = functools.partial(measure, args=args, tag=tag, progress=progress)
    for scenario in _selected(peer_scenarios(peer.VERSION), args):
        section.measurements.append(peer.run_peer(corpus, scenario, ours, run, progress))
    return section


def bench_ingest(backend: str, args: argparse.Namespace, progress: Progress) -> rep.IngestResult:
    url = scratch_database(backend, args.pg_url, "ingest")
    result = rep.IngestResult(backend, "domain upsert_articles (validate + upsert + commit)", 1000)
    for number in range(1, args.runs + 1):
        command = [
            sys.executable, "-m", "bench.ingest_bench", "--database-url", url,
            "--run-id", f"run{number}-{int(time.time())}", "--batches", str(args.ingest_batches),
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE)  # noqa: S603
        with RssSampler(process.pid) as rss:
            stdout, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"ingest run failed ({process.returncode})")
        data = orjson.loads(stdout)
        batches = sorted(data["batch_seconds"])
        run = {
            "articles": data["articles"],
            "seconds": data["seconds"],
            "articles_per_second": data["articles"] / data["seconds"],
            "batch_p50_ms": statistics.median(batches) * 1000,
            "batch_p99_ms": batches[min(len(batches) - 1, int(len(batches) * 0.99))] * 1000,
            "peak_rss_mb": rss.peak / rep.MB,
        }
        result.runs.append(run)
        progress(
            f"{backend} ingest run {number}/{args.runs}: {run['articles_per_second']:,.0f} "
            f"articles/s ({data['articles']:,} in {data['seconds']:.1f}s)"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stories:
        from bench import stories_bench

        sizes = "10k,100k" if args.sizes == "10k,100k,1m" else args.sizes
        options = ["--backend", args.backend, "--sizes", sizes, "--pg-url", args.pg_url]
        options += ["--out", str(args.out)] + (["--no-ingest"] if args.no_ingest else [])
        return stories_bench.main(options)
    if wrk_path() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    progress = Progress()
    if args.backend != "sqlite":
        # Starts the local cluster if it is installed but down; fails loudly otherwise.
        subprocess.run([str(ROOT / "scripts" / "ensure-postgres")], check=True)  # noqa: S603
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    settings = {
        "command": "scripts/bench " + shlex.join(sys.argv[1:] if argv is None else argv),
        **{k: v for k, v in vars(args).items() if k not in {"out"}},
    }
    report = rep.Report(settings=settings)
    for backend in backends:
        for size in sizes:
            report.sections.append(
                bench_corpus(corpus_for(backend, size, args.pg_url), args, progress)
            )
        if not args.quick and not args.no_ingest:
            report.ingest.append(bench_ingest(backend, args, progress))
    label = f"{args.backend}-{args.sizes.replace(',', '-')}"  # e.g. both-100k-1m
    md, js = rep.write(report, args.out, label)
    print(rep.markdown(report))
    print(f"wrote {md} and {js}")
    if args.quick:
        section = report.sections[0]
        feed, article = section.ratio("rest.feed"), section.ratio("rest.article")
        gql, to_peer = section.ratio("graphql.feed"), section.ratio("graphql.feed", PEER_SCENARIO)
        print(
            f"quick ({size_label(section.size)} articles, {section.backend}): "
            f"feed/B2 = {rep._fmt(feed, 3)}  article/B2 = {rep._fmt(article, 3)}  "
            f"graphql.feed/B2 = {rep._fmt(gql, 3)}  graphql.feed/PostGraphile = "
            f"{rep._fmt(to_peer, 3)}"
        )
    return 0
