"""Ranked full-text search: relevance blended with recency, keyset-paged, with snippets.

One statement per page (plus one for mentions): an inner query ranks index matches and
keeps the page's ids; the outer one joins the article columns and builds snippets for those
rows only (snippet and ts_headline re-read the text, so they must not run for every match).

``score = relevance * (1 + RECENCY_BOOST * 2 ** (-age_days / HALF_LIFE_DAYS))``: a story
published now gets up to 1.5x its relevance, one a week old 1.25x, an old one ~1x. Age is
measured from an anchor instant fixed on the first page and carried in the cursor, so every
page computes the same scores with the same SQL expression and keyset paging stays exact.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    tuple_,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession

from api.domain.articles import (
    BODY_COLUMNS,
    CARD_COLUMNS,
    CATEGORY_COLUMNS,
    SOURCE_COLUMNS,
    article_from_row,
    mentions_by_article,
)
from api.domain.cursors import decode_cursor, encode_cursor
from api.domain.feed import MAX_PAGE_SIZE
from api.domain.filters import ArticleFilter, filter_conditions
from api.domain.records import Page, SearchHit
from api.domain.search_query import ParsedSearch, parse_search, to_fts5, to_tsquery
from api.errors import InvalidInput
from api.models import Article, Category, Source
from api.models.base import UtcDateTime

RECENCY_BOOST = 0.5
MAX_BOOST = 1.0 + RECENCY_BOOST  # the recency factor at age 0; it never exceeds this
HALF_LIFE_DAYS = 7.0
# bm25 column weights, in FTS5 column order: title, summary, analysis, takeaways, entities.
FTS5_WEIGHTS = (10.0, 4.0, 1.0, 2.0, 5.0)
# ts_rank weights for D (analysis), C (takeaways), B (entities, summary), A (title).
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (
    "StartSel={start}, StopSel={stop}, MaxWords=35, MinWords=15, ShortWord=3, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# Private-use characters mark matches inside SQL; the text is escaped, then they become tags.
MARK_START = "\ue000"
MARK_END = "\ue001"
_CURSOR_KIND = "search"
_ADJACENT_MARKS = re.compile(r"</mark>(\s+)<mark>")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_ANCHOR_MICROS = 253_402_128_000_000_000  # 9999-12-30
_SECONDS_PER_DAY = 86_400.0

_fts = table("article_search", column("rowid", Integer))
_FTS: ColumnElement[Any] = literal_column(
    "article_search"
)  # FTS5's hidden column named after the table
_documents = table("article_search", column("article_id", Integer), column("document", TSVECTOR))


def _invalid_cursor() -> InvalidInput:
    return InvalidInput.for_param(
        "cursor", "malformed or foreign cursor; pass next_cursor back unchanged", status=400
    )


def search_cursor(anchor: dt.datetime, score: float, article_pk: int) -> str:
    micros = (anchor - _EPOCH) // dt.timedelta(microseconds=1)
    # repr round-trips a float exactly; the next page compares against the very same value.
    return encode_cursor(_CURSOR_KIND, [micros, repr(score), article_pk])


def _read_cursor(cursor: str) -> tuple[dt.datetime, float, int]:
    micros, score_text, pk = decode_cursor(cursor, _CURSOR_KIND, [int, str, int])
    assert isinstance(micros, int) and isinstance(score_text, str) and isinstance(pk, int)
    try:
        score = float(score_text)
    except ValueError:
        raise _invalid_cursor() from None
    if not (0 <= micros <= _MAX_ANCHOR_MICROS and 0 < pk < 2**31 and math.isfinite(score)):
        raise _invalid_cursor()
    return _EPOCH + dt.timedelta(microseconds=micros), score, pk


def safe_snippet(raw: str) -> str:
    """HTML-escape ``raw`` and turn the sentinels into balanced ``<mark>`` tags."""
    open_mark = False
    pieces: list[str] = []
    for ch in html.escape(raw or "", quote=False):
        if ch == MARK_START:
            if not open_mark:
                pieces.append("<mark>")
                open_mark = True
        elif ch == MARK_END:
            if open_mark:
                pieces.append("</mark>")
                open_mark = False
        else:
            pieces.append(ch)
    if open_mark:
        pieces.append("</mark>")
    # ts_headline marks a phrase word by word; FTS5 marks it whole. Make both read the same.
    return _ADJACENT_MARKS.sub(r"\1", "".join(pieces))


def _recency(anchor: dt.datetime, sqlite: bool) -> ColumnElement[float]:
    at = literal(anchor, UtcDateTime())
    age: ColumnElement[float]
    factor: ColumnElement[float]
    if sqlite:
        age = func.max(func.julianday(at) - func.julianday(Article.published_at), 0.0)
        factor = func.pow(2.0, -age / HALF_LIFE_DAYS)
    else:
        seconds = func.extract("epoch", at - Article.published_at)
        age = func.greatest(seconds / _SECONDS_PER_DAY, 0.0)
        factor = func.power(2.0, -age / HALF_LIFE_DAYS)
    result: ColumnElement[float] = 1.0 + RECENCY_BOOST * factor
    return result


def _ranked(
    query: ParsedSearch,
    sqlite: bool,
    article_filter: ArticleFilter,
    anchor: dt.datetime,
    after: tuple[float, int] | None,
    limit: int,
) -> tuple[Any, ColumnElement[bool] | None, Any]:
    """The page's (id, score) rows; the match condition and tsquery for the outer query.

    Relevance is computed once per match (a materialised CTE). Since the recency factor is
    within [1, MAX_BOOST], the page's last score is at least the (limit+1)-th best relevance
    still ahead of the cursor (``floor``), so only matches with relevance * MAX_BOOST >=
    floor can be on the page: just those are joined to their articles and scored. Exact,
    and it skips the per-match article lookup that dominated broad queries.
    """
    relevance: ColumnElement[Any]
    if sqlite:
        relevance = -func.bm25(_FTS, *FTS5_WEIGHTS)
        match = _FTS.op("MATCH")(literal(to_fts5(query)))
        key, index = _fts.c.rowid, _fts
        tsquery = None
    else:
        tsquery = to_tsquery(query)
        relevance = func.ts_rank(
            literal_column(f"'{TS_RANK_WEIGHTS}'::float4[]"), _documents.c.document, tsquery
        )
        match = _documents.c.document.op("@@")(tsquery)
        key, index = _documents.c.article_id, _documents
    conditions = filter_conditions(article_filter)
    matches = index.join(Article, Article.id == key) if conditions else index
    scored = (
        select(key.label("id"), relevance.label("r"))
        .select_from(matches)
        .where(match, *conditions)
        .cte("relevance")
        .prefix_with("MATERIALIZED")
    )
    ahead = select(scored.c.r)
    if after is not None:
        ahead = ahead.where(scored.c.r * MAX_BOOST < after[0])
    floor = ahead.order_by(scored.c.r.desc()).limit(1).offset(limit).scalar_subquery()
    score = (scored.c.r * _recency(anchor, sqlite)).cast(Float)
    stmt: Select[Any] = (
        select(scored.c.id, score.label("score"))
        .select_from(scored.join(Article, Article.id == scored.c.id))
        .where(scored.c.r * MAX_BOOST >= func.coalesce(floor, 0.0))
    )
    if after is not None:
        stmt = stmt.where(tuple_(score, scored.c.id) < tuple_(literal(after[0], Float), after[1]))
    ranked = stmt.order_by(score.desc(), scored.c.id.desc()).limit(limit + 1).subquery("ranked")
    return ranked, (match if sqlite else None), tsquery


def _page_statement(
    query: ParsedSearch,
    sqlite: bool,
    article_filter: ArticleFilter,
    anchor: dt.datetime,
    after: tuple[float, int] | None,
    limit: int,
    with_body: bool,
) -> Select[Any]:
    ranked, outer_match, tsquery = _ranked(query, sqlite, article_filter, anchor, after, limit)
    if sqlite:
        snippet: Any = func.snippet(_FTS, -1, MARK_START, MARK_END, "…", SNIPPET_TOKENS)
    else:
        paragraphs = func.jsonb_array_elements_text(Article.analysis).table_valued("value")
        analysis = (
            select(func.string_agg(paragraphs.c.value, " ")).select_from(paragraphs)
        ).scalar_subquery()
        body = Article.summary + " " + func.coalesce(analysis, "")
        options = HEADLINE_OPTIONS.format(start=MARK_START, stop=MARK_END)
        snippet = func.ts_headline(literal_column("'english'::regconfig"), body, tsquery, options)
    columns: tuple[Any, ...] = (*CARD_COLUMNS, *SOURCE_COLUMNS, *CATEGORY_COLUMNS)
    if with_body:
        columns = (*columns, *BODY_COLUMNS)
    joined = (
        ranked.join(Article, Article.id == ranked.c.id)
        .join(Source, Source.id == Article.source_id)
        .outerjoin(Category, Category.id == Article.category_id)
    )
    if sqlite:
        joined = joined.join(_fts, _fts.c.rowid == ranked.c.id)
    stmt = select(ranked.c.score, snippet, *columns).select_from(joined)
    if outer_match is not None:
        stmt = stmt.where(outer_match)  # snippet() needs the MATCH in its own query
    return stmt.order_by(ranked.c.score.desc(), ranked.c.id.desc())


async def search_page(
    session: AsyncSession,
    query_text: str,
    article_filter: ArticleFilter,
    *,
    limit: int,
    cursor: str | None,
    with_body: bool = False,
    with_mentions: bool = True,
    now: dt.datetime | None = None,
) -> Page[SearchHit]:
    """One page of hits, best first (two statements; one when ``with_mentions`` is off)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be within 1..{MAX_PAGE_SIZE}")
    query = parse_search(query_text)
    after: tuple[float, int] | None = None
    if cursor is not None:
        anchor, score, pk = _read_cursor(cursor)
        after = (score, pk)
    else:
        anchor = now or dt.datetime.now(dt.UTC)
    sqlite = session.get_bind().dialect.name == "sqlite"
    stmt = _page_statement(query, sqlite, article_filter, anchor, after, limit, with_body)
    rows = (await session.execute(stmt)).all()
    hits = [
        SearchHit(
            article=article_from_row(row[2:]),
            score=float(row[0]),
            snippet=safe_snippet(row[1]),
            cursor=search_cursor(anchor, float(row[0]), row[2]),
        )
        for row in rows[:limit]
    ]
    next_cursor = hits[-1].cursor if len(rows) > limit else None
    if with_mentions and hits:
        mentions = await mentions_by_article(session, (hit.article.pk for hit in hits))
        for hit in hits:
            hit.article.mentions = mentions[hit.article.pk]
    return Page(items=hits, next_cursor=next_cursor)
