"""PostgreSQL's block finding by key lexemes (migration 0007): segments and filters."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from api.db.database import Database
from api.domain.search import blocks as search_blocks
from api.domain.shared.filters import ArticleFilter
from tests.fixtures.search_corpus import AI, BLOCK_QUERIES, MARKETS, all_pages, corpus, ingest, item

pytestmark = pytest.mark.anyio


def _postgresql_only(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 walks its doclists newest first: it has no key lexemes")


async def _lexemes(database: Database, table: str, slug: str) -> set[str]:
    async with database.session() as session:
        words = await session.scalars(
            text(
                f"SELECT unnest(tsvector_to_array(s.document)) FROM {table} s "
                "JOIN articles a ON a.id = s.article_id WHERE a.slug = :slug"
            ),
            {"slug": slug},
        )
        return set(words)


async def _ids(database: Database, sql: str, **params: object) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(text(sql), params)
        return {str(name): int(key) for name, key in rows}


async def _jump_ids(database: Database, jump: int) -> None:
    """The next article's id comes ``jump`` past the highest so far."""
    async with database.session(write=True) as session:
        await session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('articles', 'id'), "
                "coalesce((SELECT max(id) FROM articles), 0) + :jump)"
            ),
            {"jump": jump},
        )


async def test_documents_carry_key_lexemes_that_follow_the_article(database: Database) -> None:
    _postgresql_only(database)
    # Far enough into the ids that the migration's segment size and SEGMENT_SIZE must agree.
    await _jump_ids(database, 5 * search_blocks.SEGMENT_SIZE + 7)
    await ingest(database, [item("tapir", "Tapir count", category=AI)])
    ids = await _ids(
        database,
        "SELECT 'article', id FROM articles WHERE slug = 'tapir' UNION ALL "
        "SELECT 'source', source_id FROM articles WHERE slug = 'tapir' UNION ALL "
        "SELECT slug, id FROM categories",
    )
    segment = f"segment {ids['article'] // search_blocks.SEGMENT_SIZE}"
    keys = {segment, f"category {ids['ai']}", f"source {ids['source']}"}
    assert keys <= await _lexemes(database, "article_search", "tapir")
    # The copies that rank hold only lexemes with positions: no key.
    copy = await _lexemes(database, "article_search_rank", "tapir")
    assert "tapir" in copy and not {w for w in copy if " " in w}

    await ingest(database, [item("tapir", "Tapir count", category=MARKETS)])
    markets = await _ids(database, "SELECT slug, id FROM categories WHERE slug = 'markets'")
    moved = await _lexemes(database, "article_search", "tapir")
    assert f"category {markets['markets']}" in moved and f"category {ids['ai']}" not in moved


async def test_key_lexemes_cannot_be_searched_for(database: Database) -> None:
    """The keys hold a space, which the parser splits on: no query text names them."""
    _postgresql_only(database)
    await ingest(database, [item("tapir", "Tapir count")])
    for q in ("segment 0", '"segment 0"', "segment", "category", "source"):
        assert await all_pages(database, q) == [], q
    assert len(await all_pages(database, "tapir -segment -category -source")) == 1


@pytest.mark.parametrize(
    ("q", "article_filter"),
    [
        *BLOCK_QUERIES,
        ("harbor", ArticleFilter(category="ai")),
        ('"harbor report"', ArticleFilter(category="ai")),
        ("harbor -report", ArticleFilter(category="ai", source="wire")),
        ("harbor", ArticleFilter(category="nope")),
    ],
)
async def test_segments_find_the_same_blocks_as_the_whole_index(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    q: str,
    article_filter: ArticleFilter | None,
) -> None:
    """Articles spread over many segments, some empty: read a segment at a time, or
    through the whole GIN bitmap, every block must hold the same hits."""
    _postgresql_only(database)
    articles = corpus()
    for start in range(0, len(articles), 5):
        # A segment or three ahead between batches.
        await _jump_ids(database, search_blocks.SEGMENT_SIZE * (1 + start % 3))
        await ingest(database, articles[start : start + 5])
    monkeypatch.setattr(search_blocks, "BLOCK_SIZE", 3)
    monkeypatch.setattr(search_blocks, "COMMON_HITS", 10**6)  # never walk
    monkeypatch.setattr(search_blocks, "SEGMENT_HITS", 10**6)  # the whole bitmap
    whole = await all_pages(database, q, article_filter)
    monkeypatch.setattr(search_blocks, "SEGMENT_HITS", 0)  # segments when unfiltered
    assert await all_pages(database, q, article_filter) == whole
    assert len({pk for pk, _ in whole}) == len(whole)
    if article_filter is None or article_filter.category != "nope":
        assert whole
