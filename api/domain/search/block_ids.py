"""PostgreSQL's statements that find a search block's ids (see ``api.domain.search.service``).

A page first samples the newest documents (``sample``); a query common among them has its
block looked for among the newest documents, tested one by one (``recent_ids``, then
``older_ids`` past that window), a rarer one through the GIN index: a segment of ids at a
time when it is not rare at all (``segmented_ids``), else at once (``matched_ids``).
SQLite's page statement finds its own block (``api.domain.search.ranking``).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by

from api.domain.search import blocks
from api.domain.shared.filters import ArticleFilter
from api.models import Article


def as_array(ids: Select[Any]) -> Select[Any]:
    """One row: the ids ``ids`` selects (one column, newest first) as one int[], NULL
    when there are none. Fetched as one array: far cheaper in this process than as rows."""
    found = ids.subquery("found")
    key = found.c[0]
    return select(func.array_agg(aggregate_order_by(key, key.desc())))


def sample(
    index: blocks.SearchIndex,
    upper: int | None,
    article_filter: ArticleFilter,
    phrases: list[str],
) -> Select[Any]:
    """PostgreSQL: (lexemes in the query's words, loose matches among the ``SAMPLE``
    newest documents below ``upper``, exact matches among them by their copies' fields
    with positions, the filter's category and source ids, then the word pairs of each of
    ``phrases``): what decides how a page finds its blocks, and checks their phrases.

    No lexemes means only stop words, which PostgreSQL does not index. The sample tells
    a common query from a rare one better than the planner can, as it prices ``@@`` as
    cheap, unaware that each test reads a document (a compact copy here).
    """
    copies = blocks.copies.c
    newest = (
        select(copies.article_id, copies.document)
        .where(*blocks.key_range(copies.article_id, 0, upper))
        .order_by(copies.article_id.desc())
        .limit(blocks.SAMPLE)
        .subquery("newest")
    )
    matches = newest.c.document.op("@@")
    hits = func.count().filter(matches(index.loose_query))
    # A copy has no positions for the analysis: a phrase there is not counted.
    exact = hits if index.loose_is_exact else func.count().filter(matches(index.tsquery))
    words = func.numnode(index.loose_words)
    ids = blocks.filter_ids(article_filter)
    pairs = [blocks.phrase_pairs(phrase) for phrase in phrases]
    return select(words, hits, exact, *ids, *pairs).select_from(newest)


def _window(
    index: blocks.SearchIndex, lower: int, upper: int | None, *, documents: bool = False
) -> Select[Any]:
    """The ids of the block's range that pass the filters, newest first: from the copies
    when the filters test only their columns (then, with ``documents``, the copies'
    documents too), else from the articles."""
    key: Any
    columns: list[Any] = []
    if index.walk_conditions is not None:
        key, conditions = blocks.copies.c.article_id, index.walk_conditions
        if documents:
            columns.append(blocks.copies.c.document)
    else:
        key, conditions = Article.id, index.conditions
    stmt = select(key, *columns).where(*conditions, *blocks.key_range(key, lower, upper))
    return stmt.order_by(key.desc())


def walk_window(sample_hits: int) -> int:
    """How many of the newest documents a common query's walk tests: about twice as many
    as the sample's density says hold a block (the density is at least COMMON_HITS of
    SAMPLE), and WALK_WINDOW at least.

    A walk that falls short goes on through the GIN bitmap, which visits every match: far
    dearer than walking on a little further would have been.
    """
    return blocks.WALK_WINDOW * max(1, math.ceil(2 * blocks.COMMON_HITS / max(sample_hits, 1)))


def recent_ids(
    index: blocks.SearchIndex, lower: int, upper: int | None, window: int
) -> Select[Any]:
    """PostgreSQL, for a common query: its loose matches among the ``window`` newest
    documents of the block's range that pass the filters, newest first (``BLOCK_SIZE``
    at most).

    A common word's block lies within its newest documents; testing them one by one
    stops at the block's end, where the GIN index visits every match in the corpus, and
    the planner, left to choose, may read every document; with a category filter too.
    """
    walked = _window(index, lower, upper, documents=True).limit(window).subquery("recent")
    recent_id = walked.c[0]
    test: ColumnElement[Any]
    if index.walk_conditions is not None:
        # The window is the newest copies themselves (of a category or source, through
        # its index), read in key order and tested as they come: cheaper than looking up
        # each window id's copy, or going through the GIN bitmap.
        test = walked.c.document
    else:
        # A correlated subquery, so each window row is tested in turn and the walk stops
        # at the block's end: as a join, the planner tested every document before joining.
        copy = select(blocks.copies.c.document).where(blocks.copies.c.article_id == recent_id)
        test = copy.scalar_subquery()
    return (
        select(recent_id)
        .where(test.op("@@")(index.loose_query))
        .order_by(recent_id.desc())
        .limit(blocks.BLOCK_SIZE)
    )


def older_ids(
    index: blocks.SearchIndex, lower: int, upper: int | None, window: int, limit: int
) -> Select[Any]:
    """PostgreSQL: the newest ``limit`` loose matches past ``recent_ids``'s window (none
    when the window held the whole range): for a query common in the sample but not in
    the filtered range."""
    floor = _window(index, lower, upper).offset(window - 1).limit(1).scalar_subquery()
    return matched_ids(index, lower, upper, limit).where(index.key + 0 < floor)


def matched_ids(
    index: blocks.SearchIndex, lower: int, upper: int | None, limit: int | None = None
) -> Select[Any]:
    """PostgreSQL: the newest ``limit`` loose matches of the block's range that pass the
    filters, through the GIN bitmap.

    Adding 0 to the key keeps the key index out: walking it down tests each document,
    where the GIN bitmap needs no document reads. A narrower key range does not change
    that: given ``key >= floor`` to AND with the GIN bitmap, the planner walked the key
    index instead, testing documents one by one even for an uncommon word, far slower
    than the GIN bitmap alone.

    A category or source is tested inside the GIN index, by its key lexeme: no join to
    the articles.
    """
    key = index.key + 0
    in_range = blocks.key_range(key, lower, upper)
    if index.filter_keys is not None:
        stmt = select(index.key).where(index.keyed_match(), *index.paired_match(), *in_range)
    else:
        stmt = select(index.key).select_from(index.matches)
        stmt = stmt.where(index.loose_match, *index.paired_match(), *index.conditions, *in_range)
    return stmt.order_by(key.desc()).limit(blocks.BLOCK_SIZE if limit is None else limit)


def segmented_ids(index: blocks.SearchIndex, lower: int, upper: int | None) -> Select[Any]:
    """PostgreSQL, unfiltered: ``matched_ids`` found one segment of ids at a time, newest
    first, until a block is full: the GIN index intersects the words with the segment's
    key lexeme, so only the segments read hold matches to visit and sort.

    This pays most for a query in a large share of the corpus, whose block lies within
    the newest few segments while the whole GIN bitmap visits and sorts every match; for
    a smaller share it is about even. Rarer still, a block spans most segments and the
    whole bitmap is cheaper (SEGMENT_HITS).
    """
    key = index.key
    size = blocks.SEGMENT_SIZE
    top: Any
    if upper is None:
        top = select(func.max(key)).scalar_subquery() // size
    else:
        top = blocks.bound((upper - 1) // size)
    segments = (
        func.generate_series(top, blocks.bound(lower // size), -1)
        .table_valued("n", name="segment")
        .render_derived()
    )
    in_segment = blocks.key_lexeme("segment", segments.c.n)
    in_range = blocks.key_range(key + 0, lower, upper)
    matched = (
        select(key)
        .where(index.keyed_match(in_segment), *index.paired_match(in_segment), *in_range)
        .order_by((key + 0).desc())
        .lateral("matched")
    )
    stmt = select(matched.c[0]).select_from(segments).join(matched, true())
    # Segments come newest first and each one's matches newest first: the first
    # BLOCK_SIZE rows are the newest, and later segments are never read.
    return stmt.limit(blocks.BLOCK_SIZE)


def newest_ids(index: blocks.SearchIndex, lower: int, upper: int | None) -> Select[Any]:
    """PostgreSQL, when only exclusions narrow (the words are all stop words): the block
    is the newest articles of the range that pass the filters, by the key index."""
    stmt = select(index.key).select_from(index.matches).where(*index.conditions)
    stmt = stmt.where(*blocks.key_range(index.key, lower, upper))
    return stmt.order_by(index.key.desc()).limit(blocks.BLOCK_SIZE)
