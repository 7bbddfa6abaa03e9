"""Search blocks: which matches a page ranks together, and how each backend finds them.

See ``api.domain.search`` for why matches are ranked in blocks. This module holds the
index as each backend queries it and the statements that bound a block.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from api.models import Article

# Matches ranked together; a block's ranking takes a few ms.
BLOCK_SIZE = 1000
# bm25 column weights, in FTS5 column order: title, summary, analysis, takeaways, entities.
FTS5_WEIGHTS = (10.0, 4.0, 1.0, 2.0, 5.0)
# ts_rank weights for D (analysis), C (takeaways), B (entities, summary), A (title).
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

fts_table = table("article_search", column("rowid", Integer))
# FTS5's hidden column named after the table: bm25() and snippet() take it.
FTS_RANK: ColumnElement[Any] = literal_column("article_search")
_documents = table("article_search", column("article_id", Integer), column("document", TSVECTOR))


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

    @property
    def matches(self) -> Any:
        if not self.conditions:
            return self.table
        return self.table.join(Article, Article.id == self.key)


def search_index(query: ParsedSearch, sqlite: bool, article_filter: ArticleFilter) -> SearchIndex:
    conditions = filter_conditions(article_filter)
    relevance: ColumnElement[Any]
    if sqlite:
        match = FTS_RANK.op("MATCH")(literal(to_fts5(query)))
        relevance = -func.bm25(FTS_RANK, *FTS5_WEIGHTS)
        # FTS5 checks phrases and exclusions from its doclists, newest first: exact is cheap.
        return SearchIndex(fts_table, fts_table.c.rowid, match, match, relevance, None, conditions)
    tsquery = to_tsquery(query)
    relevance = func.ts_rank(
        literal_column(f"'{TS_RANK_WEIGHTS}'::float4[]"), _documents.c.document, tsquery
    )
    match = _documents.c.document.op("@@")(tsquery)
    # GIN answers plain words exactly but rechecks phrases and exclusions against every
    # candidate document (detoasting each: ~10 µs, ~300 ms for a common word).
    loose = _documents.c.document.op("@@")(to_tsquery(query.relaxed()))
    key = _documents.c.article_id
    return SearchIndex(_documents, key, match, loose, relevance, tsquery, conditions)


def bound(value: int) -> ColumnElement[int]:
    """A block bound, written into the SQL text: PostgreSQL plans a prepared statement
    generically after five runs, and a generic plan cannot tell a block of a thousand
    rows from the whole table (measured: 690 ms instead of 50 for a broad query)."""
    return bindparam(None, value, Integer(), literal_execute=True)


def block_lower(index: SearchIndex, upper: int | None) -> Select[Any]:
    """SQLite: the BLOCK_SIZE-th newest match below ``upper`` (0 when fewer remain).

    FTS5 walks its doclists newest first and stops there; nothing is ranked. A statement
    of its own, so that the page's carries the bounds as values.
    """
    newest = select(index.key).select_from(index.matches)
    newest = newest.where(index.match, *index.conditions)
    if upper is not None:
        newest = newest.where(index.key < bound(upper))
    kth = newest.order_by(index.key.desc()).limit(1).offset(BLOCK_SIZE - 1).scalar_subquery()
    return select(func.coalesce(kth, 0))


def block_ids(index: SearchIndex, lower: int, upper: int | None) -> Select[Any]:
    """PostgreSQL: the ids of the block's loose matches, newest first (BLOCK_SIZE at most).

    The page then ranks exactly these rows by primary key. Every other plan PostgreSQL
    offered misjudged tsquery selectivity and read a document per row over most of the
    table: the key index walked down testing each (824 ms), or a sequential scan cut by
    a LIMIT that never came (871 ms), measured on 100k articles. Adding 0 to the key
    keeps the key index out: the GIN bitmap it leaves is the cheap way, as the loose
    query needs no document reads.
    """
    key = index.key + 0
    stmt = select(index.key).select_from(index.matches)
    stmt = stmt.where(index.loose_match, *index.conditions)
    if lower:
        stmt = stmt.where(key >= bound(lower))
    if upper is not None:
        stmt = stmt.where(key < bound(upper))
    return stmt.order_by(key.desc()).limit(BLOCK_SIZE)


def block_conditions(
    index: SearchIndex, lower: int, upper: int | None, ids: list[int] | None
) -> list[ColumnElement[bool]]:
    if ids is not None:
        return [index.key == func.any(bindparam(None, ids, ARRAY(Integer())))]
    if index.tsquery is not None:
        # PostgreSQL's last block, all matches below upper: through the GIN bitmap.
        return [] if upper is None else [index.key + 0 < bound(upper)]
    if upper is None:
        return [index.key >= bound(lower)]
    return [index.key.between(bound(lower), bound(upper - 1))]
