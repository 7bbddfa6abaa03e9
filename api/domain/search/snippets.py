"""Search snippets: where a hit's highlighted excerpt comes from, and its safe HTML.

Both backends excerpt the same text: the summary when it holds a match, else the
analysis when it does, else the summary's start (the title, a match in its own right, is
shown with the hit anyway). Matches are marked with private-use characters inside SQL;
the text is escaped, then they become ``<mark>`` tags. The markers hold a token drawn when
the process starts and never sent out, so stored text cannot forge a mark.
"""

from __future__ import annotations

import html
import re
import secrets
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select, true

from api.domain.search import blocks
from api.models import Article

SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (
    "StartSel={start}, StopSel={stop}, MaxWords=35, MinWords=15, ShortWord=3, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# Private-use characters around a secret token mark matches inside SQL: stored text may hold
# the characters, never the token, so only a real match becomes a tag.
_TOKEN = secrets.token_hex(8)
MARK_START = f"\ue000{_TOKEN}\ue001"
MARK_END = f"\ue001{_TOKEN}\ue000"
_ANALYSIS_WEIGHT: ColumnElement[Any] = literal_column("""'{d}'::"char"[]""")
_ADJACENT_MARKS = re.compile(r"</mark>(\s+)<mark>")
_MARKERS = re.compile(f"({re.escape(MARK_START)}|{re.escape(MARK_END)})")


def safe_snippet(raw: str) -> str:
    """HTML-escape ``raw`` and turn the markers into balanced ``<mark>`` tags."""
    # Split at the markers (few per snippet) rather than walking every character.
    open_mark = False
    pieces: list[str] = []
    for piece in _MARKERS.split(html.escape(raw or "", quote=False)):
        if piece == MARK_START:
            if not open_mark:
                pieces.append("<mark>")
                open_mark = True
        elif piece == MARK_END:
            if open_mark:
                pieces.append("</mark>")
                open_mark = False
        else:
            pieces.append(piece)
    if open_mark:
        pieces.append("</mark>")
    # ts_headline marks a phrase word by word; FTS5 marks it whole. Make both read the same.
    return _ADJACENT_MARKS.sub(r"\1", "".join(pieces))


def _marked_first(*candidates: ColumnElement[str]) -> ColumnElement[str]:
    """The first candidate holding a match mark, else the first candidate."""
    whens = [(c.contains(MARK_START), c) for c in candidates]
    return case(*whens, else_=candidates[0])


def fts5_snippet() -> ColumnElement[str]:
    """SQLite's snippet expression (for the page statement, which carries the MATCH)."""
    summary, analysis = (
        func.snippet(blocks.FTS_RANK, column, MARK_START, MARK_END, "…", SNIPPET_TOKENS)
        for column in (blocks.FTS5_SUMMARY, blocks.FTS5_ANALYSIS)
    )
    return _marked_first(summary, analysis)


def _analysis_names_any(query_lexemes: Any) -> ColumnElement[bool]:
    """Whether the article's analysis holds one of ``query_lexemes``, read from its
    search document (the analysis is weight D there, tokenized from the very text the
    headline parses): a title-word query saves 0.12-0.25 ms of headline per hit this
    way. True when the article has no document, so the headline decides."""
    documents = blocks.documents.c
    analysis_lexemes = func.tsvector_to_array(func.ts_filter(documents.document, _ANALYSIS_WEIGHT))
    names = (
        select(analysis_lexemes.op("&&")(query_lexemes))
        .where(documents.article_id == Article.id)
        .correlate(Article)
        .scalar_subquery()
    )
    return func.coalesce(names, true())


def pg_headline(tsquery: Any, query_lexemes: Any) -> tuple[ColumnElement[str], list[Any]]:
    """PostgreSQL's snippet expression, and the lateral subqueries the page statement
    must join for it; ``query_lexemes`` is a text[] of every lexeme the query names.

    ts_headline parses and stems its whole text: about 0.8 ms for a 2,000-character
    summary and analysis, so 17 ms for a page of 20 (measured on the demo corpus). The
    summary alone costs a fifth of that, and the analysis is read only for the hits whose
    summary does not match (a lateral subquery gated on it, evaluated once per row) and
    whose analysis holds a lexeme of the query: its headline could mark nothing else.
    """
    config: ColumnElement[Any] = literal_column("'english'::regconfig")
    options = HEADLINE_OPTIONS.format(start=MARK_START, stop=MARK_END)
    summary = select(func.ts_headline(config, Article.summary, tsquery, options).label("h"))
    # OFFSET 0 keeps the planner from pulling the subquery up, which would evaluate the
    # headline once in the join filter and again in the output.
    summary_headline = summary.correlate(Article).offset(0).lateral("summary_headline")
    summary_marked = summary_headline.c.h.contains(MARK_START)
    paragraphs = func.jsonb_array_elements_text(Article.analysis).table_valued("value")
    analysis = select(func.string_agg(paragraphs.c.value, " ")).select_from(paragraphs)
    analysis_headline = (
        select(func.ts_headline(config, analysis.scalar_subquery(), tsquery, options).label("h"))
        .where(~summary_marked, _analysis_names_any(query_lexemes))
        .correlate(Article, summary_headline)
        .offset(0)
        .lateral("analysis_headline")
    )
    snippet = _marked_first(summary_headline.c.h, analysis_headline.c.h)
    return snippet, [summary_headline, analysis_headline]
