"""``broadsheet export``: an ingest file of the store; ingested elsewhere, it reads the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from api.cli.ingest import ingest_jsonl
from api.domain.shared.cursors import encode_cursor
from api.settings import Settings
from tests.domain.portability.stores import (
    empty_database,
    run_cli,
    seed_demo,
    serving,
    write_corpus,
)

pytestmark = pytest.mark.anyio
# Server-made values a re-ingest makes anew (copy is what keeps them).
REMADE = {"id", "version", "created_at", "updated_at", "articleId", "updatedAt"}


def _without_remade(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_remade(v) for k, v in value.items() if k not in REMADE}
    if isinstance(value, list):
        return [_without_remade(item) for item in value]
    return value


async def _articles_as_read(url: str) -> tuple[list[Any], list[Any], list[Any]]:
    """Every article through the feed, each article page, and the GraphQL feed."""
    async with serving(url) as client:
        feed: list[Any] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/articles", params=params)).json()
            feed += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        pages = [(await client.get(f"/v1/articles/{item['slug']}")).json() for item in feed]
        query = (
            "{ articles(first: 100) { nodes { slug title url author publishedAt importance"
            " sentiment sentimentScore summary analysis keyTakeaways language imageUrl"
            " imageCredit source { slug name homepageUrl feedUrl logoUrl }"
            " category { slug name icon } mentions { salience sentiment entity { slug name"
            " type aliases ticker wikidataId homepageUrl description } }"
            " relatedLinks { kind score article { slug } } } } }"
        )
        graphql = (await client.post("/graphql", json={"query": query})).json()
    return feed, pages, graphql["data"]["articles"]["nodes"]


async def test_export_then_ingest_reads_the_same(database_url: str, tmp_path: Path) -> None:
    seed_demo(database_url, articles=60)
    async with serving(database_url) as client:
        await write_corpus(client, database_url)
    exported = run_cli(database_url, "export", str(tmp_path / "store.jsonl"), "--no-progress")
    assert exported.exit_code == 0, exported.output
    assert "exported 61 articles" in exported.output  # 60 demo, 2 written, 1 deleted
    sources = [orjson.loads(line)["source"] for line in (tmp_path / "store.jsonl").open("rb")]
    # Each source is defined inline once (the first time), then named by slug.
    inline = [source["slug"] for source in sources if isinstance(source, dict)]
    assert sorted(inline) == sorted(set(inline))
    assert {s for s in sources if isinstance(s, str)} <= set(inline)
    with empty_database(database_url.split(":")[0].split("+")[0], tmp_path) as target:
        assert run_cli(target, "migrate").exit_code == 0
        # What `broadsheet ingest` runs (its asyncio.run cannot nest in this test's loop).
        report = await ingest_jsonl(Settings(database_url=target), tmp_path / "store.jsonl")
        assert report.created == 61
        expected = await _articles_as_read(database_url)
        actual = await _articles_as_read(target)
    assert len(expected[0]) == 61
    for read_expected, read_actual in zip(expected, actual, strict=True):
        assert _without_remade(read_actual) == _without_remade(read_expected)


async def test_export_since_a_cursor_writes_what_changed(database_url: str, tmp_path: Path) -> None:
    seed_demo(database_url, articles=10)
    async with serving(database_url) as client:
        facts = await write_corpus(client, database_url)
    out = tmp_path / "since.jsonl"
    exported = run_cli(database_url, "export", str(out), "--since", facts["since"])
    assert exported.exit_code == 0, exported.output
    urls = [orjson.loads(line)["url"] for line in out.read_bytes().splitlines()]
    # Both were created after the cursor; "a", the oldest, was then deleted: no line.
    assert urls == ["https://news.example/b"]
    assert "1 deleted articles left out" in exported.output
    continued = exported.output.rsplit("--since ", 1)[1].strip()
    again = run_cli(database_url, "export", "-", "--since", continued)
    assert again.exit_code == 0
    assert again.stdout_bytes == b""


def test_export_refuses_a_bad_cursor(database_url: str) -> None:
    for bad in ("nonsense", encode_cursor("feed", [5]), encode_cursor("changes", [-1])):
        refused = run_cli(database_url, "export", "-", "--since", bad)
        assert refused.exit_code == 2, refused.output
        assert "--since" in refused.output and "not a changes cursor" in refused.output


def test_export_to_stdout_streams_lines(database_url: str) -> None:
    seed_demo(database_url, articles=3)
    exported = run_cli(database_url, "export")
    assert exported.exit_code == 0, exported.output
    lines = exported.stdout_bytes.splitlines()
    assert [orjson.loads(line)["importance"] for line in lines]
