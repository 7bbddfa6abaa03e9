"""Ranked full-text search: relevance blended with recency, keyset-paged, with snippets.

A page is one statement on SQLite and three on PostgreSQL, plus one for mentions. The
page statement's inner query ranks the block's matches and keeps the page's ids; its outer
one joins the article columns and builds snippets for those rows only (snippet and
ts_headline re-read the text: never for every match). On SQLite the inner query also finds
the block, walking FTS5's doclists newest first; PostgreSQL first samples the query and
fetches the block's ids (``api.domain.search.blocks``).

``score = relevance * (1 + RECENCY_BOOST * 2 ** (-age_days / HALF_LIFE_DAYS))``: a story
published now gets up to 1.5x its relevance, one a week old 1.25x, an old one ~1x. Age is
measured from an anchor instant fixed on the first page and carried in the cursor, so every
page computes the same scores with the same SQL expression and keyset paging stays exact
(the statement is built in ``api.domain.search.ranking``).

Blocks bound the work per page. Matches are ranked in blocks of ``BLOCK_SIZE``, newest
block first: the first block is the newest ``BLOCK_SIZE`` matches (by id, which follows
ingestion time), ranked by score; the next block the ``BLOCK_SIZE`` before them, and so
on. A query with fewer matches than that (most of them) is one block, ranked exactly as
a whole. A query matching half the corpus costs a block's ranking instead of ranking tens
of thousands of documents (both backends pay for ranking per document), and a news search
wants the best of the recent stories first anyway. Every match is still reachable by paging,
exactly once: the cursor carries its block's bounds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.database import fetch_first, fetch_rows
from api.domain.feed.query import MAX_PAGE_SIZE
from api.domain.search import block_ids, blocks
from api.domain.search.query import needed_phrases, parse_search
from api.domain.search.ranking import BlockPage, page_statement
from api.domain.search.snippets import safe_snippet
from api.domain.shared.article_rows import article_from_row, mentions_by_article
from api.domain.shared.cursors import (
    INT32_MAX,
    IntPart,
    KeyPart,
    TextPart,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from api.domain.shared.filters import ArticleFilter
from api.domain.shared.records import Page, SearchHit
from api.domain.stories.article_stories import story_refs_by_article

_CURSOR_KIND = "search"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_ANCHOR_MICROS = 253_402_128_000_000_000  # 9999-12-30
# The anchor, the block's bounds, the score (a float's repr) and the article's key.
_CURSOR_SHAPE: tuple[KeyPart, ...] = (
    IntPart(0, _MAX_ANCHOR_MICROS),
    IntPart(0, INT32_MAX),
    IntPart(0, INT32_MAX),
    TextPart(32),
    IntPart(1, INT32_MAX),
)


@dataclass(frozen=True, slots=True)
class _Block:
    """Matches with ids in [lower, upper); ``upper`` None is unbounded, ``lower`` None
    is not known yet (the statement computes it: the BLOCK_SIZE-th newest below upper)."""

    lower: int | None
    upper: int | None


def search_cursor(
    anchor: dt.datetime, block: tuple[int, int | None], score: float, article_pk: int
) -> str:
    micros = (anchor - _EPOCH) // dt.timedelta(microseconds=1)
    lower, upper = block
    # repr round-trips a float exactly; the next page compares against the very same value.
    return encode_cursor(_CURSOR_KIND, [micros, lower, upper or 0, repr(score), article_pk])


def _read_cursor(cursor: str) -> tuple[dt.datetime, _Block, float, int]:
    micros, lower, upper, score_text, pk = decode_cursor(cursor, _CURSOR_KIND, _CURSOR_SHAPE)
    assert isinstance(micros, int) and isinstance(score_text, str) and isinstance(pk, int)
    assert isinstance(lower, int) and isinstance(upper, int)
    try:
        score = float(score_text)
    except ValueError:
        raise invalid_cursor() from None
    if not math.isfinite(score) or (upper != 0 and lower >= upper):
        raise invalid_cursor()
    return _EPOCH + dt.timedelta(microseconds=micros), _Block(lower, upper or None), score, pk


@dataclass(slots=True)
class _Walk:
    """What a page's walk through the blocks reads and what it has found so far."""

    index: blocks.SearchIndex
    sqlite: bool
    narrowed: bool  # PostgreSQL: the words hold lexemes (not only stop words)
    sample_hits: int  # PostgreSQL: how many of the sample matched loosely
    sample_exact: int  # and exactly, as far as their copies tell
    anchor: dt.datetime
    limit: int
    with_body: bool
    hits: list[SearchHit]

    @property
    def paired(self) -> bool:
        """PostgreSQL: the GIN tests need the phrases' word pairs (``with_phrase_pairs``)."""
        return self.index.pairs is not None

    @property
    def common(self) -> bool:
        """PostgreSQL: the sample found the query in many of the newest documents (a
        query with word pairs: the phrases themselves, as far as the copies tell; their
        words may be common where the phrases are rare)."""
        found = self.sample_exact if self.paired else self.sample_hits
        return found >= blocks.COMMON_HITS

    @property
    def in_order(self) -> bool:
        """PostgreSQL: check a block's loose matches in score order, as enough of the
        sample's match exactly, or the word pairs found them, so most of them match
        (``search_ranking._checked_in_order``)."""
        exact = self.sample_exact
        return self.paired or (exact > 0 and exact * blocks.IN_ORDER_SHARE >= self.sample_hits)


async def _ids(session: AsyncSession, stmt: Select[Any]) -> list[int]:
    row = await fetch_first(session, block_ids.as_array(stmt))
    return list(row[0] or []) if row is not None else []


async def _block_ids(
    session: AsyncSession, walk: _Walk, lower: int, upper: int | None
) -> list[int]:
    """PostgreSQL: the ids of the block's loose matches, newest first (BLOCK_SIZE at most);
    the page then ranks exactly these rows by primary key."""
    index = walk.index
    if not walk.narrowed:
        return await _ids(session, block_ids.newest_ids(index, lower, upper))
    if not walk.common:
        if walk.sample_hits >= blocks.SEGMENT_HITS and not index.conditions:
            return await _ids(session, block_ids.segmented_ids(index, lower, upper))
        return await _ids(session, block_ids.matched_ids(index, lower, upper))
    window = block_ids.walk_window(walk.sample_hits)
    ids = await _ids(session, block_ids.recent_ids(index, lower, upper, window))
    if len(ids) < blocks.BLOCK_SIZE:
        older = block_ids.older_ids(index, lower, upper, window, blocks.BLOCK_SIZE - len(ids))
        ids += await _ids(session, older)
    return ids


async def _walk_blocks(
    session: AsyncSession, walk: _Walk, block: _Block, after: tuple[float, int] | None
) -> bool:
    """Fill ``walk.hits`` from ``block`` on, older blocks after it; True when more follow."""
    index, sqlite = walk.index, walk.sqlite
    while True:
        lower, ids = block.lower, None
        newest = sqlite and lower is None
        if not sqlite and lower != 0:
            ids = await _block_ids(session, walk, lower or 0, block.upper)
            if lower is None:
                lower = ids[-1] if len(ids) == blocks.BLOCK_SIZE else 0
        wanted = walk.limit - len(walk.hits)
        # Ids found by the loose query are matches already when it is the exact one.
        screened = ids is not None
        prechecked = screened and walk.narrowed and index.loose_is_exact
        in_order = screened and not prechecked and walk.in_order
        if newest:
            in_block = blocks.key_range(index.key, 0, block.upper)
        else:
            assert lower is not None
            key = index.rank_key if prechecked or in_order else index.key
            in_block = blocks.block_conditions(index, lower, block.upper, ids, key)
        block_page = BlockPage(
            index,
            sqlite,
            walk.anchor,
            in_block,
            after,
            wanted,
            screened=screened,
            prechecked=prechecked,
            in_order=in_order,
            newest=newest,
        )
        stmt = page_statement(block_page, walk.with_body)
        rows = await fetch_rows(session, stmt)
        if newest:
            lower = int(rows[0][2]) if rows else 0  # no row: no match below upper at all
        assert lower is not None
        bounds = (lower, block.upper)
        for row in rows[:wanted]:
            score = float(row[0])
            walk.hits.append(
                SearchHit(
                    article=article_from_row(row[3:]),
                    score=score,
                    snippet=safe_snippet(row[1]),
                    cursor=search_cursor(walk.anchor, bounds, score, row[3]),
                )
            )
        if len(rows) > wanted:
            return True
        if lower == 0:
            return False  # the oldest block is done
        # This block ran out: the page goes on with the next (older) one, if only to learn
        # (a full page asks for 0 + 1 rows) whether anything follows. On PostgreSQL, a
        # fresh block with no match means the loose bounds are far off (a phrase whose
        # words are common but rarely adjacent): everything older is then one block,
        # ranked at once, rather than stepping through a thousand near-misses at a time.
        fresh_and_empty = not rows and block.lower is None
        block, after = _Block(lower=0 if fresh_and_empty else None, upper=lower), None


async def search_page(
    session: AsyncSession,
    query_text: str,
    article_filter: ArticleFilter,
    *,
    limit: int,
    cursor: str | None,
    with_body: bool = False,
    with_mentions: bool = True,
    with_stories: bool = False,
    now: dt.datetime | None = None,
) -> Page[SearchHit]:
    """One page of hits, best first.

    Statements: the page, mentions (unless ``with_mentions`` is off), the hits' stories
    (with ``with_stories``); on PostgreSQL first
    a sample that picks how blocks are found (``search_block_ids.sample``) and the block's
    ids (unless the cursor's block is the last). A page that runs past its block's end
    adds a page statement (and on PostgreSQL an ids one) per further block it reaches,
    rarely more than one.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be within 1..{MAX_PAGE_SIZE}")
    query = parse_search(query_text)
    after: tuple[float, int] | None = None
    block = _Block(lower=None, upper=None)
    if cursor is not None:
        anchor, block, score, pk = _read_cursor(cursor)
        after = (score, pk)
    else:
        anchor = now or dt.datetime.now(dt.UTC)
    sqlite = session.get_bind().dialect.name == "sqlite"
    index = blocks.search_index(query, sqlite, article_filter)
    walk = _Walk(index, sqlite, True, 0, 0, anchor, limit, with_body, hits=[])
    if sqlite:
        more = await _walk_blocks(session, walk, block, after)
    else:
        phrases = needed_phrases(query)
        sample = block_ids.sample(index, block.upper, article_filter, phrases)
        sampled = await fetch_first(session, sample)
        assert sampled is not None  # an aggregate: always one row
        lexemes, hits, exact, category_id, source_id, *pairs = sampled
        walk.narrowed, walk.sample_hits, walk.sample_exact = lexemes > 0, hits, exact
        index = blocks.with_phrase_pairs(index, pairs)
        filtered = blocks.with_filter_ids(index, article_filter, category_id, source_id)
        walk.index = index if filtered is None else filtered
        # Only stop words and nothing excluded: PostgreSQL's index holds none of them, so
        # nothing can match (SQLite indexes every word). Nor can an unknown slug.
        matchable = (walk.narrowed or bool(query.excluded)) and filtered is not None
        more = matchable and await _walk_blocks(session, walk, block, after)
    hits = walk.hits
    next_cursor = hits[-1].cursor if more and hits else None
    if with_mentions and hits:
        mentions = await mentions_by_article(session, (hit.article.pk for hit in hits))
        for hit in hits:
            hit.article.mentions = mentions[hit.article.pk]
    if with_stories and hits:
        found = await story_refs_by_article(session, (hit.article.pk for hit in hits))
        for hit in hits:
            hit.article.story = found.get(hit.article.pk)
    return Page(items=hits, next_cursor=next_cursor)
