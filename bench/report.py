"""Results: per-run figures, their summaries, and the Markdown + JSON report."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.corpus import size_label
from bench.paced import PacedResult
from bench.scenarios import B2_ARTICLE, PEER_SCENARIO

MB = 1024 * 1024


@dataclass(slots=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float
    requests: int
    errors: int
    non_2xx: int


MAX_FAILED_SHARE = 0.01


@dataclass(slots=True)
class Measurement:
    scenario: str
    target: str
    description: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    paced: PacedResult | None = None  # open loop at a fraction of the peak (paced scenarios)
    response_bytes: int | None = None  # body of the first request, as checked before the load

    @property
    def measured(self) -> bool:
        # A run whose answers were mostly errors measured the refusals, not the scenario.
        requests = sum(r.requests for r in self.runs)
        failed = sum(r.errors + r.non_2xx for r in self.runs)
        return bool(self.runs) and failed <= requests * MAX_FAILED_SHARE

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)


@dataclass(slots=True)
class Section:
    backend: str
    size: int
    corpus_note: str
    measurements: list[Measurement] = field(default_factory=list)

    def find(self, scenario: str) -> Measurement | None:
        return next((m for m in self.measurements if m.scenario == scenario), None)

    def ratio(self, scenario: str, to: str = "B2") -> float | None:
        this, base = self.find(scenario), self.find(to)
        if this is None or base is None or not this.measured or not base.measured:
            return None
        return this.rps / base.rps if base.rps else None


@dataclass(slots=True)
class IngestResult:
    backend: str
    method: str
    batch_size: int
    runs: list[dict[str, float]] = field(default_factory=list)

    @property
    def articles_per_second(self) -> float:
        return statistics.median(r["articles_per_second"] for r in self.runs)


@dataclass(slots=True)
class Report:
    settings: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    ingest: list[IngestResult] = field(default_factory=list)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit or "unknown",
    }


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _paced_table(section: Section, fraction: float, seconds: int) -> list[str]:
    paced = [(m.scenario, m.paced) for m in section.measurements if m.paced is not None]
    if not paced:
        return []
    share = "half" if fraction == 0.5 else f"{fraction:.0%}"
    lines = [
        "",
        f"Latency at {share} of peak rate (open loop, fixed rate, {seconds} s per scenario; "
        "latency from each request's scheduled time)",
        "",
        "| scenario | rate req/s | achieved req/s | p50 ms | p99 ms | max ms | errors / non-2xx "
        "| p99 ÷ baseline's | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    p99s = {scenario: p.p99_ms for scenario, p in paced}
    for scenario, p in paced:
        note = (
            f"client-bound: generator {p.dispatch_lag_ms:.1f} ms behind schedule on average"
            if p.client_saturated
            else ""
        )
        baseline = _PACED_BASELINES.get(scenario)
        ratio = "-"
        if baseline is not None and p99s.get(baseline):
            ratio = f"{p.p99_ms / p99s[baseline]:.2f} ({baseline})"
        lines.append(
            f"| {scenario} | {_fmt(p.target_rps, 0)} | {_fmt(p.achieved_rps, 0)} | "
            f"{_fmt(p.p50_ms, 2)} | {_fmt(p.p99_ms, 2)} | {_fmt(p.max_ms, 2)} | "
            f"{p.errors:,} / {p.non_2xx:,} | {ratio} | {note} |"
        )
    return lines


# Each page's raw-driver baseline, for "p99 at half of peak rate at most twice the baseline's".
_PACED_BASELINES = {
    "rest.feed": "B2",
    "graphql.feed": "B2",
    "rest.article": B2_ARTICLE,
    "graphql.article": B2_ARTICLE,
}


def _peer_line(section: Section) -> list[str]:
    """graphql.feed as a ratio to B2 and to the peer, with both response sizes."""
    ours, peer, b2 = (section.find(n) for n in ("graphql.feed", PEER_SCENARIO, "B2"))
    if ours is None or not ours.measured:
        return []
    line = f"**graphql.feed** {_fmt(ours.rps, 0)} req/s"
    if b2 is not None and b2.measured:
        line += f" = {_fmt(section.ratio(ours.scenario), 3)}x B2 ({_fmt(b2.rps, 0)} req/s)"
    if peer is None:
        return ["", line]
    if peer.measured:
        to_peer = _fmt(section.ratio(ours.scenario, to=PEER_SCENARIO), 3)
        line += f", {to_peer}x PostGraphile ({_fmt(peer.rps, 0)} req/s)"
    else:
        line += f", PostGraphile {peer.note or 'not measured'}"
    sizes = [f"{m.scenario} {m.response_bytes:,}" for m in (ours, peer) if m.response_bytes]
    return ["", line + (" · bytes per response: " + ", ".join(sizes) if sizes else "")]


def _article_line(section: Section) -> list[str]:
    """The GraphQL and REST article pages as ratios to B2.article (B2 for the article page)."""
    base = section.find(B2_ARTICLE)
    if base is None or not base.measured:
        return []
    pages = [section.find(n) for n in ("graphql.article", "rest.article")]
    measured = [m for m in pages if m is not None and m.measured]
    if not measured:
        return []
    first, *rest = measured
    line = (
        f"**{first.scenario}** {_fmt(first.rps, 0)} req/s = "
        f"{_fmt(section.ratio(first.scenario, to=B2_ARTICLE), 3)}x {B2_ARTICLE} "
        f"({_fmt(base.rps, 0)} req/s)"
    )
    for m in rest:
        line += f"; {m.scenario} {_fmt(section.ratio(m.scenario, to=B2_ARTICLE), 3)}x {B2_ARTICLE}"
    return ["", line]


def markdown(report: Report) -> str:
    machine = _machine()
    s = report.settings
    lines = [
        f"# Broadsheet benchmark, {report.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`{s['command']}` · commit {machine['commit']} · {machine['cores']} cores "
        f"({machine['cpu']}) · Python {machine['python']}",
        "",
        f"uvicorn workers {s['workers']} · wrk {s['threads']} thread(s), {s['connections']} "
        f"connections · {s['warmup']} s warm-up, then {s['runs']} run(s) of {s['duration']} s "
        "per scenario · figures are medians over runs, RSS the peak of the server process tree",
        "",
        "Ratios are to B2 (bare Starlette route, same SQL, raw driver + orjson) measured in the "
        "same run on the same corpus: compare ratios across runs, not absolute numbers. "
        f"graphql.feed is also given as a ratio to the peer ({PEER_SCENARIO}: PostGraphile 4 "
        "on the same PostgreSQL corpus, asked for the same page and fields). The article pages "
        f"are also given as a ratio to {B2_ARTICLE}, the same kind of baseline written for the "
        "article page.",
    ]
    for section in report.sections:
        lines += [
            "",
            f"## {section.backend}, {size_label(section.size)} articles",
            "",
            f"corpus: {section.corpus_note}",
            "",
            "| scenario | what | req/s | p50 ms | p99 ms | peak RSS MB | ÷ B2 | note |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for m in section.measurements:
            if not m.measured:
                lines.append(f"| {m.scenario} | {m.description} | - | - | - | - | - | {m.note} |")
                continue
            note = m.note
            first = section.ratio(m.scenario.removesuffix(".deep"), to=m.scenario)
            if m.scenario.endswith(".deep") and first is not None:
                # The target: a deep page should cost at most 1.2x the first page.
                note = f"costs {first:.2f}x the first page (by req/s) {note}".strip()
            lines.append(
                f"| {m.scenario} | {m.description} | {_fmt(m.rps, 0)} | {_fmt(m.p50_ms, 2)} | "
                f"{_fmt(m.p99_ms, 2)} | {_fmt(m.peak_rss_mb, 0)} | "
                f"{_fmt(section.ratio(m.scenario), 3)} | {note} |"
            )
        lines += _peer_line(section)
        lines += _article_line(section)
        paced_seconds = s.get("paced_duration") or s["duration"]
        lines += _paced_table(section, s.get("paced_fraction", 0.5), paced_seconds)
    if report.ingest:
        lines += [
            "",
            "## Bulk ingest",
            "",
            "| backend | method | batch | articles/s | batch p50 ms | batch p99 ms | peak RSS MB |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for ing in report.ingest:
            p50 = statistics.median(r["batch_p50_ms"] for r in ing.runs)
            p99 = statistics.median(r["batch_p99_ms"] for r in ing.runs)
            rss = max(r["peak_rss_mb"] for r in ing.runs)
            lines.append(
                f"| {ing.backend} | {ing.method} | {ing.batch_size:,} | "
                f"{_fmt(ing.articles_per_second, 0)} | {_fmt(p50, 0)} | {_fmt(p99, 0)} | "
                f"{_fmt(rss, 0)} |"
            )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> bytes:
    payload = {
        "started": report.started.isoformat(),
        "machine": _machine(),
        "settings": report.settings,
        "sections": [
            {
                "backend": section.backend,
                "articles": section.size,
                "corpus": section.corpus_note,
                "scenarios": [
                    {
                        **asdict(m),
                        "summary": None
                        if not m.measured
                        else {
                            "rps": m.rps,
                            "p50_ms": m.p50_ms,
                            "p99_ms": m.p99_ms,
                            "peak_rss_mb": m.peak_rss_mb,
                            "ratio_to_b2": section.ratio(m.scenario),
                            "ratio_to_peer": section.ratio(m.scenario, to=PEER_SCENARIO),
                        },
                    }
                    for m in section.measurements
                ],
            }
            for section in report.sections
        ],
        "ingest": [
            {**asdict(ing), "articles_per_second": ing.articles_per_second} for ing in report.ingest
        ],
    }
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2)


def write(report: Report, out: Path, backend_label: str) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{report.started:%Y-%m-%d}-{backend_label}"
    if stem.with_suffix(".md").exists():  # never overwrite an earlier run of the same day
        stem = stem.with_name(f"{stem.name}-{report.started:%H%M}")
    md, js = stem.with_suffix(".md"), stem.with_suffix(".json")
    md.write_text(markdown(report))
    js.write_bytes(as_json(report) + b"\n")
    return md, js
