"""Search blocks: which matches a page ranks together, and how each backend finds them.

See ``api.domain.search`` for why matches are ranked in blocks. This module holds the
index as each backend queries it and PostgreSQL's statements that find a block (SQLite's
page statement finds its own: ``api.domain.search_ranking``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

from api.domain.filters import ArticleFilter, filter_conditions
from api.domain.search_query import ParsedSearch, to_fts5, to_tsquery
from api.models import Article, Category, Source
from api.models.base import UtcDateTime

# Matches ranked together; a block's ranking takes a few ms.
BLOCK_SIZE = 1000
# PostgreSQL: newest documents a page tests to tell a common query from a rare one, and
# those a common query's block is looked for in, tested one by one (``recent_ids``): at
# least WALK_WINDOW, more when the sample's density says that may not hold a block.
SAMPLE = 200
COMMON_HITS = SAMPLE // 4
WALK_WINDOW = 4 * BLOCK_SIZE
# bm25 column weights, in FTS5 column order: title, summary, analysis, takeaways, entities.
FTS5_WEIGHTS = (10.0, 4.0, 1.0, 2.0, 5.0)
FTS5_SUMMARY, FTS5_ANALYSIS = 1, 2  # column numbers, for snippet()
# ts_rank weights for D (analysis), C (takeaways), B (entities, summary), A (title).
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

fts_table = table("article_search", column("rowid", Integer))
# FTS5's hidden column named after the table: bm25() and snippet() take it.
FTS_RANK: ColumnElement[Any] = literal_column("article_search")
_EMPTY: ColumnElement[Any] = literal_column("''::tsvector")
_documents = table("article_search", column("article_id", Integer), column("document", TSVECTOR))
# PostgreSQL ranks from compact copies of the documents (migration 0006). A copy holds
# every lexeme of its document (the analysis's without positions), so a loose query,
# which tests lexemes only, matches the copy exactly when it matches the document: the
# tests that read documents one by one (``sample``, ``recent_ids``) read the copies,
# one inline row each instead of a document mostly stored out of line.
_ranks = table(
    "article_search_rank",
    column("article_id", Integer),
    column("published_at", UtcDateTime()),
    column("category_id", Integer),
    column("source_id", Integer),
    column("document", TSVECTOR),
)


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The backend's search index as a query sees it."""

    table: Any
    key: Any
    match: ColumnElement[bool]
    # Decides block bounds: a superset of ``match`` that needs no document reads.
    loose_match: ColumnElement[bool]
    relevance: ColumnElement[Any]
    tsquery: Any  # PostgreSQL's, for ts_headline; None on SQLite
    conditions: list[ColumnElement[bool]]
    # PostgreSQL's: the loose tsquery, and its words alone (no exclusions). None on SQLite.
    loose_query: Any = None
    loose_words: Any = None
    loose_is_exact: bool = False  # no phrases: a loose match is a match
    # PostgreSQL's ``match`` for rows already found by id: written so that the planner
    # cannot answer it from the GIN index, which would scan every loose match again
    # (5 ms for a common word) to AND with the ids. None on SQLite.
    recheck: Any = None
    # False when ``conditions`` test the index's own key (SQLite's id set, below).
    joins_articles: bool = True
    # PostgreSQL's table of compact documents that ``relevance`` reads, with each
    # article's publication time, so that a block is scored from one row per match
    # (migration 0006). None on SQLite: the page reads the article's time.
    ranks: Any = None
    # PostgreSQL: the filters as conditions on the copies (which carry the category and
    # source), for a walk through the newest copies; None when the filter tests more.
    walk_conditions: list[ColumnElement[bool]] | None = None

    @property
    def rank_key(self) -> Any:
        """The key that ranking reads by, for a block whose ids are known matches."""
        return self.key if self.ranks is None else self.ranks.c.article_id

    @property
    def matches(self) -> Any:
        if not self.conditions or not self.joins_articles:
            return self.table
        return self.table.join(Article, Article.id == self.key)


def search_index(query: ParsedSearch, sqlite: bool, article_filter: ArticleFilter) -> SearchIndex:
    conditions = filter_conditions(article_filter)
    relevance: ColumnElement[Any]
    if sqlite:
        match = FTS_RANK.op("MATCH")(literal(to_fts5(query)))
        relevance = -func.bm25(FTS_RANK, *FTS5_WEIGHTS)
        # FTS5 checks phrases and exclusions from its doclists, newest first: exact is cheap.
        key = fts_table.c.rowid
        if article_filter.category is None and article_filter.source is None:
            return SearchIndex(fts_table, key, match, match, relevance, None, conditions)
        # An equality on category or source keeps a fraction of the articles. Their ids,
        # collected once through that column's index, test a match for less than a lookup
        # of its article row does: measured on 100k articles, 61 -> 16 ms for a phrase
        # walking 72k matches to its block in a 4 % category, 9.7 -> 9.1 ms in a 27 % one.
        # "+ 0" keeps FTS5 from taking the IN as rowids to probe one by one (seconds).
        in_filter = (key + 0).in_(select(Article.id).where(*conditions))
        return SearchIndex(
            fts_table, key, match, match, relevance, None, [in_filter], joins_articles=False
        )
    tsquery = to_tsquery(query)
    relaxed = query.relaxed()
    relevance = func.ts_rank(
        literal_column(f"'{TS_RANK_WEIGHTS}'::float4[]"), _ranks.c.document, tsquery
    )
    match = _documents.c.document.op("@@")(tsquery)
    # GIN answers plain words exactly but rechecks phrases and exclusions against every
    # candidate document (detoasting each: ~10 µs, ~300 ms for a common word).
    # Most queries are plain words: then all three are one expression, built once.
    loose_query = tsquery if relaxed == query else to_tsquery(relaxed)
    loose = _documents.c.document.op("@@")(loose_query)
    key = _documents.c.article_id
    words = ParsedSearch(relaxed.clauses)
    words_query = loose_query if words == relaxed else to_tsquery(words)
    return SearchIndex(
        _documents,
        key,
        match,
        loose,
        relevance,
        tsquery,
        conditions,
        loose_query,
        words_query,
        loose_is_exact=relaxed == query,
        recheck=func.coalesce(_documents.c.document, _EMPTY).op("@@")(tsquery),
        ranks=_ranks,
        walk_conditions=_copy_conditions(article_filter),
    )


def _copy_conditions(article_filter: ArticleFilter) -> list[ColumnElement[bool]] | None:
    """The filter on the copies' own columns, when it tests no more than category and
    source (the filters a reader picks most; the copies index them with the id)."""
    if replace(article_filter, category=None, source=None) != ArticleFilter():
        return None
    copies, conditions = _ranks.c, []
    if article_filter.category is not None:
        category = select(Category.id).where(Category.slug == article_filter.category)
        conditions.append(copies.category_id == category.scalar_subquery())
    if article_filter.source is not None:
        source = select(Source.id).where(Source.slug == article_filter.source)
        conditions.append(copies.source_id == source.scalar_subquery())
    return conditions


def bound(value: int) -> ColumnElement[int]:
    """A block bound, written into the SQL text: PostgreSQL plans a prepared statement
    generically after five runs, and a generic plan cannot tell a block of a thousand
    rows from the whole table (measured: 690 ms instead of 50 for a broad query)."""
    return bindparam(None, value, Integer(), literal_execute=True)


def key_range(key: Any, lower: int, upper: int | None) -> list[ColumnElement[bool]]:
    conditions = [key >= bound(lower)] if lower else []
    if upper is not None:
        conditions.append(key < bound(upper))
    return conditions


def sample(index: SearchIndex, upper: int | None) -> Select[Any]:
    """PostgreSQL: (lexemes in the query's words, loose matches among the ``SAMPLE``
    newest documents below ``upper``): what decides how a page finds its blocks.

    No lexemes means only stop words, which PostgreSQL does not index. The sample tells
    a common query from a rare one better than the planner can, as it prices ``@@`` as
    cheap, unaware that each test reads a document (a compact copy here).
    """
    copies = _ranks.c
    newest = (
        select(copies.article_id, copies.document)
        .where(*key_range(copies.article_id, 0, upper))
        .order_by(copies.article_id.desc())
        .limit(SAMPLE)
        .subquery("newest")
    )
    hits = select(func.count()).where(newest.c.document.op("@@")(index.loose_query))
    return select(func.numnode(index.loose_words), hits.scalar_subquery())


def _window(index: SearchIndex, lower: int, upper: int | None) -> Select[Any]:
    """The ids of the block's range that pass the filters, newest first."""
    key: Any
    if index.walk_conditions is not None:
        key, conditions = _ranks.c.article_id, index.walk_conditions
    else:
        key, conditions = Article.id, index.conditions
    stmt = select(key).where(*conditions, *key_range(key, lower, upper))
    return stmt.order_by(key.desc())


def walk_window(sample_hits: int) -> int:
    """How many of the newest documents a common query's walk tests: about twice as many
    as the sample's density says hold a block (the density is at least COMMON_HITS of
    SAMPLE), and WALK_WINDOW at least.

    A walk that falls short goes on through the GIN bitmap, which visits every match:
    25 ms for the last 120 of a block of two words in 22 % of 100k articles, where
    walking on would have taken about 2 ms.
    """
    return WALK_WINDOW * max(1, math.ceil(2 * COMMON_HITS / max(sample_hits, 1)))


def recent_ids(index: SearchIndex, lower: int, upper: int | None, window: int) -> Select[Any]:
    """PostgreSQL, for a common query: its loose matches among the ``window`` newest
    documents of the block's range that pass the filters, newest first (``BLOCK_SIZE``
    at most).

    A common word's block lies within its newest documents; testing them one by one
    stops at the block's end, where the GIN index visits every match in the corpus.
    Measured on 100k articles, "data" (in 82 % of them): 3 ms against 40 through the
    GIN bitmap, or 145 ms when the planner chose to read every document; with a
    category filter, 5 ms against the planner's 131.
    """
    if index.walk_conditions is not None:
        # The window is the newest copies themselves (of a category or source, through
        # its index), read in key order and tested as they come: for two words in 22 %
        # of 100k articles, 11 ms against 18-54 ms for a lookup of each window id's copy
        # (and 31-55 through the GIN bitmap); in a 27 % category, 10 ms against 19-23.
        copies = _ranks.c
        newest = select(copies.article_id, copies.document).where(*index.walk_conditions)
        newest = newest.where(*key_range(copies.article_id, lower, upper))
        walked = newest.order_by(copies.article_id.desc()).limit(window).subquery("recent")
        test: ColumnElement[Any] = walked.c.document
        recent_id = walked.c.article_id
    else:
        walked = _window(index, lower, upper).limit(window).subquery("recent")
        recent_id = walked.c[0]
        # A correlated subquery, so each window row is tested in turn and the walk stops
        # at the block's end: as a join, the planner tested every document before joining.
        copy = select(_ranks.c.document).where(_ranks.c.article_id == recent_id)
        test = copy.scalar_subquery()
    return (
        select(recent_id)
        .where(test.op("@@")(index.loose_query))
        .order_by(recent_id.desc())
        .limit(BLOCK_SIZE)
    )


def older_ids(
    index: SearchIndex, lower: int, upper: int | None, window: int, limit: int
) -> Select[Any]:
    """PostgreSQL: the newest ``limit`` loose matches past ``recent_ids``'s window (none
    when the window held the whole range): for a query common in the sample but not in
    the filtered range."""
    floor = _window(index, lower, upper).offset(window - 1).limit(1).scalar_subquery()
    return matched_ids(index, lower, upper, limit).where(index.key + 0 < floor)


def matched_ids(
    index: SearchIndex, lower: int, upper: int | None, limit: int | None = None
) -> Select[Any]:
    """PostgreSQL: the newest ``limit`` loose matches of the block's range that pass the
    filters, through the GIN bitmap.

    Adding 0 to the key keeps the key index out: walking it down testing each document
    cost 824 ms on 100k articles, where the GIN bitmap needs no document reads. A narrower
    key range does not change that: given ``key >= floor`` to AND with the GIN bitmap,
    the planner walked the key index instead, testing 44k documents for a word in 4 % of
    them (150-250 ms against 10 through the GIN bitmap alone).
    """
    key = index.key + 0
    stmt = select(index.key).select_from(index.matches)
    stmt = stmt.where(index.loose_match, *index.conditions, *key_range(key, lower, upper))
    return stmt.order_by(key.desc()).limit(BLOCK_SIZE if limit is None else limit)


def newest_ids(index: SearchIndex, lower: int, upper: int | None) -> Select[Any]:
    """PostgreSQL, when only exclusions narrow (the words are all stop words): the block
    is the newest articles of the range that pass the filters, by the key index."""
    stmt = select(index.key).select_from(index.matches).where(*index.conditions)
    stmt = stmt.where(*key_range(index.key, lower, upper))
    return stmt.order_by(index.key.desc()).limit(BLOCK_SIZE)


def block_conditions(
    index: SearchIndex, lower: int, upper: int | None, ids: list[int] | None, key: Any = None
) -> list[ColumnElement[bool]]:
    """The block's rows: by id when they are known (on ``key``, the index's by default)."""
    if ids is not None:
        key = index.key if key is None else key
        return [key == func.any(bindparam(None, ids, ARRAY(Integer())))]
    if index.tsquery is not None:
        # PostgreSQL's last block, all matches below upper: through the GIN bitmap.
        return [] if upper is None else [index.key + 0 < bound(upper)]
    if upper is None:
        return [index.key >= bound(lower)]
    return [index.key.between(bound(lower), bound(upper - 1))]
