"""Web-search query syntax: parsed once into a small AST, compiled per database.

Syntax: words (all must match), ``"exact phrase"``, ``a OR b`` (uppercase, between two
terms; binds tighter than the implicit AND, so ``a b OR c`` is a AND (b OR c)), and
``-word`` / ``-"phrase"`` exclusions. Anything else a user types is plain text: FTS5
operators and column filters (``NEAR``, ``title:``, ``*``, ``^``, parentheses) are quoted
away for SQLite, and PostgreSQL receives every word as a bound parameter.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, func, literal_column
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from api.errors import InvalidInput

PARAM = "q"
MAX_QUERY_LENGTH = 256
MAX_TERMS = 16
_WHITESPACE = frozenset(" \t\n\r")
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")


@dataclass(frozen=True, slots=True)
class Term:
    """A word, or a phrase when ``phrase`` is set (its words must appear in order)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class ParsedSearch:
    """All ``clauses`` must match (each is one term or an OR of terms); no ``excluded`` may."""

    clauses: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def relaxed(self) -> ParsedSearch:
        """A superset of the matches that an inverted index answers without reading the
        documents: phrases become their words; excluded phrases go (excluding their words
        would drop more), excluded words stay."""
        loose = tuple(tuple(Term(t.text) for t in clause) for clause in self.clauses)
        return ParsedSearch(loose, tuple(t for t in self.excluded if not t.phrase))


@dataclass(frozen=True, slots=True)
class _Token:
    term: Term | None  # None: the OR operator
    negated: bool = False


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput.for_param(PARAM, reason, status=400)


def _searchable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, end = 0, len(text)
    while i < end:
        if text[i] in _WHITESPACE:
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < end and text[i + 1] not in _WHITESPACE
        start = i + 1 if negated else i
        if text[start] == '"':
            close = text.find('"', start + 1)
            if close < 0:
                raise _invalid('unterminated quote: close the phrase with "')
            tokens.append(_Token(Term(" ".join(text[start + 1 : close].split()), True), negated))
            i = close + 1
            continue
        stop = start
        while stop < end and text[stop] not in _WHITESPACE and text[stop] != '"':
            stop += 1
        word = text[start:stop]
        if word == "OR" and not negated:
            tokens.append(_Token(None))
        else:
            tokens.append(_Token(Term(word), negated))
        i = stop
    return tokens


def parse_search(text: str) -> ParsedSearch:
    """Parse a query or raise ``InvalidInput`` (400) naming ``q`` with a reason."""
    if len(text) > MAX_QUERY_LENGTH:
        raise _invalid(f"longer than {MAX_QUERY_LENGTH} characters")
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise _invalid("unpaired surrogate characters are not allowed")
        if category == "Cc" and ch not in _WHITESPACE:
            raise _invalid("control characters (such as NUL) are not allowed")
    if not text.strip():
        raise _invalid("empty query; type some words to search for")
    # Tokens with nothing to match (punctuation, emoji, a lone "-") carry no meaning.
    tokens = [t for t in _tokens(text) if t.term is None or _searchable(t.term.text)]
    if sum(t.term is not None for t in tokens) > MAX_TERMS:
        raise _invalid(f"more than {MAX_TERMS} terms")
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the previous token was OR: the next term joins the last clause
    for index, token in enumerate(tokens):
        if token.term is None:
            previous = tokens[index - 1] if index else None
            if previous is None or index == len(tokens) - 1:
                raise _invalid("OR needs a search term on both sides")
            if previous.term is None:
                raise _invalid("OR given twice in a row")
            if previous.negated or tokens[index + 1].negated:
                raise _invalid("OR cannot join an exclusion (-word)")
            joining = True
        elif token.negated:
            excluded.append(token.term)
        elif joining:
            clauses[-1].append(token.term)
            joining = False
        else:
            clauses.append([token.term])
    if not clauses:
        if excluded:
            raise _invalid("only exclusions; add a word to search for")
        raise _invalid("no searchable words (letters or digits)")
    unique = dict.fromkeys(tuple(dict.fromkeys(clause)) for clause in clauses)
    return ParsedSearch(tuple(unique), tuple(dict.fromkeys(excluded)))


# --- SQLite FTS5 ----------------------------------------------------------------------------


def _fts5_string(term: Term) -> str:
    # A quoted FTS5 string is always a phrase of the tokenizer's tokens: operators, column
    # filters and prefix stars typed inside it are plain characters.
    return '"' + term.text.replace('"', '""') + '"'


def _fts5_any(terms: tuple[Term, ...]) -> str:
    if len(terms) == 1:
        return _fts5_string(terms[0])
    return "(" + " OR ".join(_fts5_string(t) for t in terms) + ")"


def to_fts5(query: ParsedSearch) -> str:
    """The FTS5 MATCH expression (bound as a parameter, never spliced into SQL)."""
    positives = " AND ".join(_fts5_any(clause) for clause in query.clauses)
    if not query.excluded:
        return positives
    return f"({positives}) NOT {_fts5_any(query.excluded)}"


# --- PostgreSQL tsquery ---------------------------------------------------------------------


def _tsquery(term: Term) -> ColumnElement[Any]:
    # Each term's text is its own bound parameter: user text never becomes SQL.
    value: ColumnElement[str] = bindparam(None, term.text, String(), unique=True)
    function = func.phraseto_tsquery if term.phrase else func.plainto_tsquery
    result: ColumnElement[Any] = function(_ENGLISH, value, type_=TSQUERY)
    return result


def _ts_op(left: ColumnElement[Any], op: str, right: ColumnElement[Any]) -> ColumnElement[Any]:
    result: ColumnElement[Any] = left.op(op, return_type=TSQUERY)(right).self_group()
    return result


def _ts_any(terms: tuple[Term, ...]) -> ColumnElement[Any]:
    result = _tsquery(terms[0])
    for term in terms[1:]:
        result = _ts_op(result, "||", _tsquery(term))
    return result


def needed_phrases(query: ParsedSearch) -> list[str]:
    """The phrases every match must hold: those that are a clause on their own (a phrase
    in an OR may be stood in for by the other side)."""
    return [clause[0].text for clause in query.clauses if len(clause) == 1 and clause[0].phrase]


def query_lexemes(query: ParsedSearch) -> ColumnElement[Any]:
    """Every lexeme the query names (its words, phrases and exclusions), as a text[]."""
    terms = [t.text for clause in query.clauses for t in clause] + [t.text for t in query.excluded]
    text: ColumnElement[str] = bindparam(None, " ".join(terms), String(), unique=True)
    result: ColumnElement[Any] = func.tsvector_to_array(func.to_tsvector(_ENGLISH, text))
    return result


def to_tsquery(query: ParsedSearch) -> ColumnElement[Any]:
    """A tsquery built from ``plainto_tsquery``/``phraseto_tsquery`` and ``&&``/``||``/``!!``.

    Stop words ("the") make empty tsqueries, which these operators simply skip.
    """
    result = _ts_any(query.clauses[0])
    for clause in query.clauses[1:]:
        result = _ts_op(result, "&&", _ts_any(clause))
    if query.excluded:
        negation: ColumnElement[Any] = UnaryExpression(
            _ts_any(query.excluded).self_group(),
            operator=operators.custom_op("!!"),
            type_=TSQUERY,
        )
        result = _ts_op(result, "&&", negation.self_group())
    return result
