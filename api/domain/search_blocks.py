"""Search blocks: which matches a page ranks together, and how each backend finds them.

See ``api.domain.search`` for why matches are ranked in blocks. This module holds the
index as each backend queries it, the sizes that decide how a block is found, and the
block's conditions; PostgreSQL's statements that find a block's ids are in
``api.domain.search_block_ids`` (SQLite's page statement finds its own block:
``api.domain.search_ranking``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

from api.domain.filters import ArticleFilter, category_id_of, filter_conditions, source_id_of
from api.domain.search_query import ParsedSearch, to_fts5, to_tsquery
from api.models import Article
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
documents = table("article_search", column("article_id", Integer), column("document", TSVECTOR))
# PostgreSQL ranks from compact copies of the documents (migration 0006). A copy holds
# every lexeme of its document (the analysis's without positions), so a loose query,
# which tests lexemes only, matches the copy exactly when it matches the document: the
# tests that read documents one by one (``sample``, ``recent_ids``) read the copies,
# one inline row each instead of a document mostly stored out of line.
copies = table(
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
        literal_column(f"'{TS_RANK_WEIGHTS}'::float4[]"), copies.c.document, tsquery
    )
    match = documents.c.document.op("@@")(tsquery)
    # GIN answers plain words exactly but rechecks phrases and exclusions against every
    # candidate document (detoasting each: ~10 µs, ~300 ms for a common word).
    # Most queries are plain words: then all three are one expression, built once.
    loose_query = tsquery if relaxed == query else to_tsquery(relaxed)
    loose = documents.c.document.op("@@")(loose_query)
    key = documents.c.article_id
    words = ParsedSearch(relaxed.clauses)
    words_query = loose_query if words == relaxed else to_tsquery(words)
    return SearchIndex(
        documents,
        key,
        match,
        loose,
        relevance,
        tsquery,
        conditions,
        loose_query,
        words_query,
        loose_is_exact=relaxed == query,
        recheck=func.coalesce(documents.c.document, _EMPTY).op("@@")(tsquery),
        ranks=copies,
        walk_conditions=_copy_conditions(article_filter),
    )


def _copy_conditions(article_filter: ArticleFilter) -> list[ColumnElement[bool]] | None:
    """The filter on the copies' own columns, when it tests no more than category and
    source (the filters a reader picks most; the copies index them with the id)."""
    if replace(article_filter, category=None, source=None) != ArticleFilter():
        return None
    conditions: list[ColumnElement[bool]] = []
    if article_filter.category is not None:
        conditions.append(copies.c.category_id == category_id_of(article_filter.category))
    if article_filter.source is not None:
        conditions.append(copies.c.source_id == source_id_of(article_filter.source))
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
