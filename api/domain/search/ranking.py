"""The search page statement: a block's matches ranked, the page's rows with snippets.

``score = relevance * (1 + RECENCY_BOOST * 2 ** (-age_days / HALF_LIFE_DAYS))``; see
``api.domain.search.service`` for blocks, paging and why the anchor instant is fixed per search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    case,
    func,
    literal,
    null,
    select,
    true,
    tuple_,
)

from api.domain.search import blocks
from api.domain.search.snippets import fts5_snippet, pg_headline
from api.domain.shared.article_rows import (
    BODY_COLUMNS,
    CARD_COLUMNS,
    CATEGORY_COLUMNS,
    SOURCE_COLUMNS,
)
from api.models import Article, Category, Source
from api.models.base import UtcDateTime

RECENCY_BOOST = 0.5
MAX_BOOST = 1.0 + RECENCY_BOOST  # the recency factor at age 0; it never exceeds this
HALF_LIFE_DAYS = 7.0
_SECONDS_PER_DAY = 86_400.0


def _recency(anchor: dt.datetime, sqlite: bool, published_at: Any) -> ColumnElement[float]:
    at = literal(anchor, UtcDateTime())
    age: ColumnElement[float]
    factor: ColumnElement[float]
    if sqlite:
        age = func.max(func.julianday(at) - func.julianday(published_at), 0.0)
        factor = func.pow(2.0, -age / HALF_LIFE_DAYS)
    else:
        seconds = func.extract("epoch", at - published_at)
        age = func.greatest(seconds / _SECONDS_PER_DAY, 0.0)
        factor = func.power(2.0, -age / HALF_LIFE_DAYS)
    result: ColumnElement[float] = 1.0 + RECENCY_BOOST * factor
    return result


@dataclass(frozen=True, slots=True)
class BlockPage:
    """What one page statement ranks: a block of a search's matches, past the cursor.

    ``screened``: ``in_block`` names ids known to pass the filters (PostgreSQL's block
    ids), so only the exact match is left to check; ``prechecked``: that too is known;
    ``in_order``: check it in score order (``_checked_in_order``), not as ids are read.
    ``newest`` (SQLite, a block whose lower bound is not known yet): the block is the
    newest ``BLOCK_SIZE`` matches below its upper bound, which FTS5 walks newest first
    and stops at; the page statement reads the bound back from them.
    """

    index: blocks.SearchIndex
    sqlite: bool
    anchor: dt.datetime
    in_block: list[ColumnElement[bool]]
    after: tuple[float, int] | None
    limit: int
    screened: bool = False
    prechecked: bool = False
    in_order: bool = False
    newest: bool = False


def _relevance(page: BlockPage) -> Select[Any]:
    """(id, r[, published_at]) of each match in the block, or of each of its known ids
    when they are to be checked in order, matches or not.

    PostgreSQL reads relevance and time from the compact documents: one inline row per
    match, where the whole document is mostly stored out of line (several page reads).
    The whole one is read only to check a phrase (``screened`` but not ``prechecked``).
    Only PostgreSQL's blocks come as known ids (screened); SQLite's page matches itself.
    """
    index, in_block, ranks = page.index, page.in_block, page.index.ranks

    def with_ranks(source: Any) -> Any:
        return source if ranks is None else source.join(ranks, index.rank_key == index.key)

    columns = [index.rank_key.label("id"), index.relevance.label("r")]
    if ranks is not None:
        columns.append(ranks.c.published_at)
    relevance = select(*columns)
    if page.prechecked or page.in_order:
        return relevance.where(*in_block)  # in_block names rank_key
    if page.screened:
        relevance = relevance.select_from(with_ranks(index.table))
        return relevance.where(index.recheck, *in_block)
    relevance = relevance.select_from(with_ranks(index.matches))
    return relevance.where(index.match, *index.paired_match(), *index.conditions, *in_block)


def _checked_in_order(page: BlockPage, ordered: Any) -> Select[Any]:
    """PostgreSQL, a block of known ids not all known to match (a phrase, or only
    exclusions): ``ordered``'s rows, best first, that match, read from the whole
    documents one at a time until the page is full.

    The ids are scored first (from the compact copies) and checked in score order: for
    a phrase in most of its block's loose matches, a page reads about as many documents
    as it shows instead of the whole block. A phrase in none of them costs more: hence
    ``in_order`` only when the sample finds it. ``ordered`` is ordered and offset, so
    PostgreSQL neither flattens it nor pushes the check into it: the check runs on its
    rows in order.
    """
    index = page.index
    documents = index.table
    check = select(index.recheck).where(documents.c.article_id == ordered.c.id)
    stmt: Select[Any] = select(ordered.c.id, ordered.c.score).where(check.scalar_subquery())
    return stmt.order_by(ordered.c.score.desc(), ordered.c.id.desc()).limit(page.limit + 1)


def _ranked(page: BlockPage) -> tuple[Any, Any]:
    """The page's (id, score) rows within one block, and the block's relevance CTE.

    Relevance is computed once per match in the block (a materialised CTE). Since the
    recency factor is within [1, MAX_BOOST], the page's last score is at least the
    (limit+1)-th best relevance still ahead of the cursor (``floor``), so only matches
    with relevance * MAX_BOOST >= floor can be on the page: just those are scored (on
    SQLite, after a lookup of their article's publication time; PostgreSQL's rank rows
    carry it). Exact within the block, and it skips most of the scoring. A block whose
    rows are still to be checked is scored whole and checked in score order instead
    (``_checked_in_order``).
    """
    index, after, limit = page.index, page.after, page.limit
    relevance = _relevance(page)
    if page.newest:
        relevance = relevance.order_by(index.key.desc()).limit(blocks.BLOCK_SIZE)
    scored = relevance.cte("relevance").prefix_with("MATERIALIZED")
    candidates: Any
    published_at: Any
    if index.ranks is not None:
        candidates, published_at = scored, scored.c.published_at
    else:
        candidates = scored.join(Article, Article.id == scored.c.id)
        published_at = Article.published_at
    score = (scored.c.r * _recency(page.anchor, page.sqlite, published_at)).cast(Float)
    stmt: Select[Any] = select(scored.c.id, score.label("score")).select_from(candidates)
    if after is not None:
        stmt = stmt.where(tuple_(score, scored.c.id) < tuple_(literal(after[0], Float), after[1]))
    stmt = stmt.order_by(score.desc(), scored.c.id.desc())
    if page.in_order:
        # Rows still to be checked may not match: no floor can be read from them.
        ordered = stmt.offset(0).subquery("ordered")
        return _checked_in_order(page, ordered).subquery("ranked"), scored
    ahead = select(scored.c.r)
    if after is not None:
        ahead = ahead.where(scored.c.r * MAX_BOOST < after[0])
    floor = ahead.order_by(scored.c.r.desc()).limit(1).offset(limit).scalar_subquery()
    stmt = stmt.where(scored.c.r * MAX_BOOST >= func.coalesce(floor, 0.0))
    return stmt.limit(limit + 1).subquery("ranked"), scored


def page_statement(page: BlockPage, with_body: bool) -> Select[Any]:
    """(score, snippet, block's lower bound, *article columns) rows, best first; the
    bound is NULL unless ``newest`` (see ``_ranked``), then 0 when the block holds every
    match below its upper bound."""
    index, sqlite = page.index, page.sqlite
    ranked, scored = _ranked(page)
    lower: Any = null()
    if page.newest:
        full = func.count() == blocks.BLOCK_SIZE
        lower = select(case((full, func.min(scored.c.id)), else_=0)).scalar_subquery()
    headlines: list[Any] = []
    if sqlite:
        snippet: Any = fts5_snippet()
    else:
        snippet, headlines = pg_headline(index.tsquery, index.lexemes)
    columns: tuple[Any, ...] = (*CARD_COLUMNS, *SOURCE_COLUMNS, *CATEGORY_COLUMNS)
    if with_body:
        columns = (*columns, *BODY_COLUMNS)
    joined = (
        ranked.join(Article, Article.id == ranked.c.id)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
    )
    for lateral in headlines:
        joined = joined.outerjoin(lateral, true())
    if sqlite:
        joined = joined.join(blocks.fts_table, blocks.fts_table.c.rowid == ranked.c.id)
    stmt = select(ranked.c.score, snippet, lower, *columns).select_from(joined)
    if sqlite:
        stmt = stmt.where(index.match)  # snippet() needs the MATCH in its own query
    return stmt.order_by(ranked.c.score.desc(), ranked.c.id.desc())
