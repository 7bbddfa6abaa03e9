"""``broadsheet ingest`` end to end: a JSON Lines file in, one transaction, a report out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select

from api.cli.commands import main
from api.cli.ingest import IngestFileError, IngestReport, ingest_jsonl
from api.models import Article, ArticleLink, Mention
from api.settings import Settings, get_settings

SOURCE = {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"}


def line(n: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": f"https://news.example/{n}",
        "title": f"Story number {n}",
        "source": SOURCE if n == 1 else "wire",
        "category": {"slug": "markets", "name": "Markets", "icon": "📈"},
        "published_at": f"2024-05-0{n}T08:00:00Z",
        "importance": n + 4,
        "sentiment": "bullish",
        "summary": f"Summary of story {n}.",
        "mentions": [
            {
                "entity": {"slug": f"corp-{n}", "name": f"Corp {n}", "type": "company"},
                "salience": 0.7,
            }
        ],
    }
    return data | overrides


def write_jsonl(path: Path, *rows: dict[str, Any] | str) -> Path:
    text = b"\n".join(row.encode() if isinstance(row, str) else orjson.dumps(row) for row in rows)
    path.write_bytes(text + b"\n")
    return path


def ingest(database_url: str, target: str, stdin: bytes | None = None) -> Result:
    # get_settings() is cached per process: clear it so DATABASE_URL is read from env.
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            main, ["ingest", target], env={"DATABASE_URL": database_url}, input=stdin
        )
    finally:
        get_settings.cache_clear()


def dump(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(select(Article.__table__).order_by(Article.url))
        return [tuple(row) for row in rows]


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_ingest_creates_then_leaves_unchanged(
    database_url: str, sync_engine: Engine, tmp_path: Path
) -> None:
    link = {"url": "https://news.example/3", "kind": "follow_up", "score": 0.8}
    path = write_jsonl(tmp_path / "a.jsonl", line(1, links=[link]), "", line(2), line(3))

    first = ingest(database_url, str(path))
    assert first.exit_code == 0, first.output
    assert "3 created, 0 updated, 0 unchanged" in first.output
    before = dump(sync_engine)
    assert len(before) == 3
    assert (count(sync_engine, Mention), count(sync_engine, ArticleLink)) == (3, 1)

    again = ingest(database_url, str(path))
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 3 unchanged" in again.output
    assert dump(sync_engine) == before  # versions and updated_at untouched


def test_bad_line_is_reported_and_nothing_is_written(
    database_url: str, sync_engine: Engine, tmp_path: Path
) -> None:
    naive = line(3, published_at="2024-05-03T08:00:00")
    path = write_jsonl(tmp_path / "bad.jsonl", line(1), line(2, importance=11), naive, "{oops")

    result = ingest(database_url, str(path))
    assert result.exit_code != 0
    assert "line 2: importance: Input should be less than or equal to 10" in result.output
    assert "line 3: published_at:" in result.output  # every error, not just the first
    assert "line 4: invalid JSON" in result.output
    assert count(sync_engine, Article) == 0


def test_semantic_error_names_the_line_and_rolls_back(
    database_url: str, sync_engine: Engine, tmp_path: Path
) -> None:
    unknown = {"url": "https://news.example/nowhere", "kind": "same_story"}
    path = write_jsonl(tmp_path / "link.jsonl", line(1), line(2, links=[unknown]))

    result = ingest(database_url, str(path))
    assert result.exit_code != 0
    assert "line 2: links[0].url: no article with URL https://news.example/nowhere" in result.output
    assert count(sync_engine, Article) == 0


def test_stdin_and_duplicate_urls_name_both_lines(database_url: str, sync_engine: Engine) -> None:
    stdin = b"\n".join(orjson.dumps(row) for row in (line(1), line(2), line(1)))
    result = ingest(database_url, "-", stdin=stdin)
    assert result.exit_code != 0
    assert "line 3: url: same URL as line 1" in result.output
    assert count(sync_engine, Article) == 0


async def _ingest_in_chunks(database_url: str, path: Path, chunk_lines: int) -> IngestReport:
    return await ingest_jsonl(Settings(database_url=database_url), path, chunk_lines=chunk_lines)


@pytest.mark.anyio
async def test_links_to_later_chunks_resolve_at_the_end(
    database_url: str, sync_engine: Engine, tmp_path: Path
) -> None:
    def link(n: int) -> list[dict[str, str]]:
        return [{"url": f"https://news.example/{n}", "kind": "follow_up"}]

    # Chunks of two: line 1 points four lines ahead, line 2 at line 1 (held back with it),
    # line 4 at line 3 of its own chunk.
    rows = [line(1, links=link(5)), line(2, links=link(1)), line(3), line(4, links=link(3))]
    path = write_jsonl(tmp_path / "ahead.jsonl", *rows, line(5))

    report = await _ingest_in_chunks(database_url, path, chunk_lines=2)

    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    with sync_engine.connect() as connection:
        pairs = connection.execute(
            select(Article.url, ArticleLink.to_article_id).join(
                ArticleLink, ArticleLink.from_article_id == Article.id
            )
        ).all()
        ids = dict(connection.execute(select(Article.url, Article.id)).all())
    by_url = {url: target for url, target in pairs}
    assert by_url == {
        "https://news.example/1": ids["https://news.example/5"],
        "https://news.example/2": ids["https://news.example/1"],
        "https://news.example/4": ids["https://news.example/3"],
    }
    with sync_engine.connect() as connection:
        versions = connection.execute(select(Article.version)).scalars().all()
    assert versions == [1] * 5  # held items are written once


@pytest.mark.anyio
async def test_a_late_error_rolls_back_the_chunks_already_written(
    database_url: str, sync_engine: Engine, tmp_path: Path
) -> None:
    nowhere = [{"url": "https://news.example/nowhere", "kind": "same_story"}]
    path = write_jsonl(tmp_path / "late.jsonl", line(1), line(2), line(3), line(4, links=nowhere))
    with pytest.raises(IngestFileError, match=r"line 4: links\[0\]\.url: no article with URL"):
        await _ingest_in_chunks(database_url, path, chunk_lines=1)
    bad = write_jsonl(tmp_path / "bad.jsonl", line(1), line(2), line(3), line(4, importance=0))
    with pytest.raises(IngestFileError, match="line 4: importance"):
        await _ingest_in_chunks(database_url, bad, chunk_lines=1)
    assert count(sync_engine, Article) == 0


@pytest.mark.anyio
async def test_a_slug_defined_inline_further_down_resolves(
    database_url: str, sync_engine: Engine, tmp_path: Path
) -> None:
    # Line 1 names source "wire" by slug; only line 3, in a later chunk, defines it.
    by_slug = line(2, source="wire", url="https://news.example/first")
    path = write_jsonl(tmp_path / "refs.jsonl", by_slug, line(2), line(1))
    report = await _ingest_in_chunks(database_url, path, chunk_lines=1)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    unknown = line(2, source="nobody", url="https://news.example/lost")
    path = write_jsonl(tmp_path / "lost.jsonl", unknown, line(4))
    with pytest.raises(IngestFileError, match="line 1: source: no source with slug 'nobody'"):
        await _ingest_in_chunks(database_url, path, chunk_lines=1)
    assert count(sync_engine, Article) == 3
