"""The peer: PostGraphile 4 serving the same PostgreSQL corpus, asked for graphql.feed's page.

PostGraphile is installed with npm into bench/.cache/postgraphile on first use. Without
node and npm, or when the install fails, the peer is skipped with a note: never the run.
It runs as one Node process (like our one uvicorn worker) in production mode, without
watch mode, GraphiQL or the query log, so it is measured serving reads and nothing else.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy.engine import make_url

from bench.corpus import CACHE_DIR, Corpus
from bench.report import Measurement
from bench.scenarios import FEED_LIMIT, Scenario
from bench.server import Server, http_post_json

VERSION = "4.14.1"  # pinned: a report's peer figure should not move with npm's "latest"
INSTALL_DIR = CACHE_DIR / "postgraphile"
CLI = INSTALL_DIR / "node_modules" / "postgraphile" / "cli.js"
NOT_POSTGRES = "n/a (PostgreSQL only)"
_READY_QUERY = b'{"query":"{__typename}"}'

Measure = Callable[[Server, Scenario], Measurement]


def _installed_version() -> str:
    try:
        data = json.loads((CLI.parent / "package.json").read_text())
    except (OSError, ValueError):
        return ""
    return str(data.get("version", ""))


@functools.cache  # once a run: a failed install is not tried again for every corpus
def ensure_installed(say: Callable[[str], None]) -> str:
    """Empty once the pinned PostGraphile is installed, else why the peer is skipped."""
    if _installed_version() == VERSION:
        return ""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        return "skipped: node and npm not found (install Node.js 18+ to measure the peer)"
    say(f"installing postgraphile@{VERSION} with npm into {INSTALL_DIR}")
    command = [
        npm, "install", "--prefix", str(INSTALL_DIR), "--no-audit", "--no-fund",
        "--loglevel=error", f"postgraphile@{VERSION}",
    ]  # fmt: skip
    try:
        completed = subprocess.run(  # noqa: S603 (fixed argv)
            command, capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"skipped: npm install failed: {exc}"
    if completed.returncode != 0 or _installed_version() != VERSION:
        tail = completed.stderr.strip().splitlines()[-3:]
        return f"skipped: npm install failed ({completed.returncode}): {' / '.join(tail)}"
    return ""


def _node_url(url: str) -> str:
    """The corpus URL for node-postgres, with the role libpq (and so our server) connects as.

    node-postgres falls back to $USER, which may be unset, rather than the process's user.
    """
    parsed = make_url(url).set(drivername="postgresql")
    if not parsed.username:
        libpq = parsed.render_as_string(hide_password=False)
        with psycopg.connect(libpq) as connection:
            row = connection.execute("SELECT current_user").fetchone()
        parsed = parsed.set(username=str(row[0]) if row else None)
    return parsed.render_as_string(hide_password=False)


class PostGraphile(Server):
    """``postgraphile`` on a free port over schema public, ready once it answers a query."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        super().__init__(
            "postgraphile", workers=1, env={"NODE_ENV": "production"}, log_path=log_path
        )
        self.database_url = _node_url(database_url)

    def command(self) -> list[str]:
        node = shutil.which("node") or "node"
        # Relay connections (the default) match our connection shape; no default mutations,
        # as only reads are measured; --dynamic-json as recommended for production.
        return [
            node, str(CLI), "--connection", self.database_url, "--schema", "public",
            "--host", "127.0.0.1", "--port", str(self.port), "--disable-graphiql",
            "--disable-query-log", "--dynamic-json", "--disable-default-mutations",
            "--legacy-relations", "omit",
        ]  # fmt: skip

    def is_ready(self) -> bool:
        return http_post_json(self.base_url + "/graphql", _READY_QUERY, timeout=2)[0] == 200


def _enum(value: str | None) -> str | None:
    # Our GraphQL enums are NEUTRAL, COMPANY; PostGraphile passes the stored neutral, company.
    return None if value is None else value.lower()


def _page(body: bytes, connection: str, card: dict[str, str]) -> list[tuple[Any, ...]]:
    """The content both servers must agree on, one tuple per article, in page order."""
    rows = []
    for edge in orjson.loads(body)["data"][connection]["edges"]:
        node = edge["node"]
        category, mentions = node[card["category"]], node[card["mentions"]]
        if isinstance(mentions, dict):  # a PostGraphile connection
            mentions = mentions["nodes"]
        entities = sorted(
            (
                m[card["entity"]]["slug"],
                _enum(m[card["entity"]]["type"]),
                _enum(m["sentiment"]),
                round(m["salience"], 6),
            )
            for m in mentions
        )
        source = node[card["source"]]["name"]
        rows.append(
            (
                node["slug"], node["title"], node["summary"], node["importance"],
                _enum(node["sentiment"]), source, category and category["name"], entities,
            )
        )  # fmt: skip
    return rows


OURS = {"category": "category", "mentions": "mentions", "source": "source", "entity": "entity"}
THEIRS = {
    "category": "categoryByCategoryId",
    "mentions": "mentionsByArticleId",
    "source": "sourceBySourceId",
    "entity": "entityByEntityId",
}


def compare(ours: bytes | None, theirs: bytes) -> str:
    """Empty when the peer's page holds graphql.feed's articles and mentions, else how not.

    Without our page (graphql.feed not asked for) it checks for a full page with mentions.
    """
    try:
        peer = _page(theirs, "allArticles", THEIRS)
        mine = None if ours is None else _page(ours, "articles", OURS)
    except (KeyError, TypeError, ValueError) as exc:
        return f"unreadable answer ({exc!r}): {theirs[:200].decode(errors='replace')}"
    expected = FEED_LIMIT if mine is None else len(mine)
    if len(peer) != expected or not any(row[-1] for row in peer):
        return f"{len(peer)} articles (expected {expected}), mentions: {any(r[-1] for r in peer)}"
    differing = [a[0] for a, b in zip(mine or peer, peer, strict=True) if a != b]
    return f"{len(differing)} articles differ, first {differing[0]}" if differing else ""


def _measure(corpus: Corpus, scenario: Scenario, ours: bytes | None, run: Measure) -> Measurement:
    with PostGraphile(corpus.url, CACHE_DIR / "logs" / "postgraphile.log") as server:
        request = scenario.requests[0]
        status, body = http_post_json(server.base_url + request.path, request.body or b"")
        problem = f"HTTP {status}" if status != 200 else compare(ours, body)
        if not problem:
            return run(server, scenario)
    result = Measurement(scenario.name, scenario.target, scenario.description)
    result.note = f"skipped: answer unlike graphql.feed's: {problem}"
    return result


def run_peer(
    corpus: Corpus,
    scenario: Scenario,
    ours: bytes | None,
    measure: Measure,
    say: Callable[[str], None],
) -> Measurement:
    """The peer's measurement on ``corpus``; a note instead of figures when it cannot run."""
    result = Measurement(scenario.name, scenario.target, scenario.description)
    tag = f"{corpus.label} {scenario.name}"
    result.note = NOT_POSTGRES if corpus.backend != "postgresql" else ensure_installed(say)
    if not result.note:
        try:
            result = _measure(corpus, scenario, ours, measure)
        except (RuntimeError, psycopg.Error) as exc:  # a peer that fails is a note, not a stop
            result.note = f"skipped: PostGraphile failed: {str(exc)[-300:]}"
    if result.note:
        say(f"{tag}: {result.note}")
    return result
