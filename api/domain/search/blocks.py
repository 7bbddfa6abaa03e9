"""Search blocks: which matches a page ranks together, and how each backend finds them.

See ``api.domain.search.service`` for why matches are ranked in blocks. This module holds the
index as each backend queries it, the sizes that decide how a block is found, and the
block's conditions; PostgreSQL's statements that find a block's ids are in
``api.domain.search.block_ids`` (SQLite's page statement finds its own block:
``api.domain.search.ranking``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR

from api.domain.search.query import ParsedSearch, query_lexemes, to_fts5, to_tsquery
from api.domain.shared.filters import ArticleFilter, category_id_of, filter_conditions, source_id_of
from api.models import Article
from api.models.base import UtcDateTime

# Matches ranked together: few enough that a page can afford to rank its block.
BLOCK_SIZE = 1000
# PostgreSQL: newest documents a page tests to tell a common query from a rare one, and
# those a common query's block is looked for in, tested one by one (``recent_ids``): at
# least WALK_WINDOW, more when the sample's density says that may not hold a block.
SAMPLE = 200
COMMON_HITS = SAMPLE // 4
WALK_WINDOW = 4 * BLOCK_SIZE
# PostgreSQL: a document's ``segment N`` key lexeme is its id // SEGMENT_SIZE (migration
# 0007 writes it; the two must agree). A query with at least SEGMENT_HITS sample hits,
# not common, finds its block a segment at a time (``segmented_ids``): at 4 % and more,
# a block lies within a few segments, where the whole corpus holds thousands of matches.
SEGMENT_SIZE = 4096
SEGMENT_HITS = 8
# PostgreSQL: a phrase's block is checked in score order when at least one in
# IN_ORDER_SHARE of the sample's loose matches has the phrase (checking all of it costs
# about as much as scoring all of it, twice when nothing matches).
IN_ORDER_SHARE = 25
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
    # to AND with the ids. None on SQLite.
    recheck: Any = None
    # False when ``conditions`` test the index's own key (SQLite's id set, below).
    joins_articles: bool = True
    # PostgreSQL's table of compact documents that ``relevance`` reads, with each
    # article's publication time, so that a block is scored from one row per match
    # (migration 0006). None on SQLite: the page reads the article's time.
    ranks: Any = None
    # PostgreSQL, set once the sample has read the filter's ids (``with_filter_ids``):
    # the filters as conditions on the copies (which carry the category and source),
    # for a walk through the newest copies, and as the documents' key lexemes (migration
    # 0007), a tsquery the GIN index intersects with the words. None when the filter
    # tests more (``filter_keys`` also when there is no filter).
    walk_conditions: list[ColumnElement[bool]] | None = None
    filter_keys: Any = None
    # PostgreSQL: every lexeme the query names, as a text[] (for snippets). None on SQLite.
    lexemes: Any = None
    # PostgreSQL, set once the sample has derived them (``with_phrase_pairs``): the word
    # pairs the query's phrases need, a tsquery for their GIN index (migration 0008).
    pairs: Any = None

    def _with_keys(self, query: Any, keys: tuple[Any, ...]) -> Any:
        """``query`` that also needs ``keys`` (tsqueries) and the filter's keys."""
        if self.filter_keys is not None:
            keys = (*keys, self.filter_keys)
        return all_of(query, *keys)

    def keyed_match(self, *keys: Any) -> ColumnElement[bool]:
        """PostgreSQL: ``loose_match`` that also needs ``keys`` (tsqueries) and the
        filter's keys, all answered inside the GIN index; ``loose_match`` alone
        when there are none."""
        return documents.c.document.op("@@")(self._with_keys(self.loose_query, keys))

    def paired_match(self, *keys: Any) -> list[ColumnElement[bool]]:
        """PostgreSQL: the phrases' word pairs, with ``keys`` (tsqueries) and the filter's
        keys, as a condition the pairs' GIN index answers (none without pairs)."""
        if self.pairs is None:
            return []
        pairs = func.article_search_pairs(documents.c.document)
        return [pairs.op("@@")(self._with_keys(self.pairs, keys))]

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
        # of its article row does, most of all in a small category.
        # "+ 0" keeps FTS5 from taking the IN as rowids to probe one by one (far slower).
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
    # candidate document (detoasting each: costly for a common word).
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
        lexemes=query_lexemes(query),
    )


def _by_category_and_source(article_filter: ArticleFilter) -> bool:
    """The filter tests no more than category and source (the filters a reader picks
    most), which the copies carry as columns and the documents as key lexemes."""
    return replace(article_filter, category=None, source=None) == ArticleFilter()


def filter_ids(article_filter: ArticleFilter) -> list[ColumnElement[Any]]:
    """PostgreSQL: the filter's category and source ids (NULL when not filtered on), for
    the sample to read along (``with_filter_ids``)."""
    return [
        null() if slug is None else id_of(slug)
        for slug, id_of in (
            (article_filter.category, category_id_of),
            (article_filter.source, source_id_of),
        )
    ]


def with_filter_ids(
    index: SearchIndex,
    article_filter: ArticleFilter,
    category_id: int | None,
    source_id: int | None,
) -> SearchIndex | None:
    """PostgreSQL: ``index`` with the filter on the copies' columns and the documents' key
    lexemes, when it tests no more than category and source; None when a slug names
    nothing (so nothing matches).

    The ids are written into the SQL text, as block bounds are: given a subquery's id,
    the planner could not tell a small category from a common one and walked the copies by
    id instead of through the category's index, reading many copies for the few it kept.
    """
    if not _by_category_and_source(article_filter):
        return index
    conditions: list[ColumnElement[bool]] = []
    keys: list[ColumnElement[Any]] = []
    for slug, found, column_, kind in (
        (article_filter.category, category_id, copies.c.category_id, "category"),
        (article_filter.source, source_id, copies.c.source_id, "source"),
    ):
        if slug is None:
            continue
        if found is None:
            return None
        conditions.append(column_ == bound(found))
        keys.append(key_lexeme(kind, bound(found)))
    filter_keys = all_of(*keys) if keys else None
    return replace(index, walk_conditions=conditions, filter_keys=filter_keys)


def phrase_pairs(phrase: str) -> ColumnElement[Any]:
    """PostgreSQL: the word pairs ``phrase`` needs as tsquery text, NULL when it has none
    (one word, or words apart): for the sample to read (``with_phrase_pairs``)."""
    text_ = bindparam(None, phrase, String(), unique=True)
    return cast(func.article_search_phrase_pairs(text_), Text())


def with_phrase_pairs(index: SearchIndex, pairs: list[str | None]) -> SearchIndex:
    """PostgreSQL: ``index`` whose GIN tests also need the phrases' word pairs, read from
    the index over ``article_search_pairs(document)`` (migration 0008): a phrase of two
    common words seldom adjacent is then found among its few documents, not checked in
    every document holding both words. The pairs are bound as tsquery text PostgreSQL
    wrote itself."""
    needed = [text_ for text_ in pairs if text_ is not None]
    if not needed:
        return index
    return replace(index, pairs=cast(bindparam(None, " & ".join(needed), String()), TSQUERY))


def key_lexeme(kind: str, value: Any) -> ColumnElement[Any]:
    """The tsquery of one key lexeme, ``kind value`` (see migration 0007); quoted, as
    the lexeme holds a space."""
    return cast(func.quote_literal(func.concat(f"{kind} ", value)), TSQUERY)


def all_of(first: Any, *others: Any) -> Any:
    """The tsquery that needs each of these."""
    query = first
    for other in others:
        query = query.op("&&", return_type=TSQUERY)(other).self_group()
    return query


def bound(value: int) -> ColumnElement[int]:
    """A block bound, written into the SQL text: PostgreSQL plans a prepared statement
    generically after five runs, and a generic plan cannot tell a block of a thousand
    rows from the whole table, and plans a broad query far worse."""
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
