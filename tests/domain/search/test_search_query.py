"""The search syntax parser and its FTS5 / tsquery compilers (no service, no fixtures)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from api.domain.search.query import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    ParsedSearch,
    Term,
    parse_search,
    to_fts5,
    to_tsquery,
)
from api.errors import InvalidInput

W = Term  # a word
P = Term  # a phrase, built with phrase=True


def clauses(text: str) -> tuple[tuple[Term, ...], ...]:
    return parse_search(text).clauses


def reason(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_search(text)
    error = caught.value
    assert error.status == 400
    assert [p.name for p in error.invalid_params] == ["q"]
    return error.invalid_params[0].reason


def test_words_are_anded() -> None:
    assert clauses("export ban") == ((W("export"),), (W("ban"),))


def test_or_binds_tighter_than_the_implicit_and() -> None:
    assert clauses("a b OR c") == ((W("a"),), (W("b"), W("c")))
    assert clauses("a OR b OR c d") == ((W("a"), W("b"), W("c")), (W("d"),))


def test_lowercase_or_is_a_word() -> None:
    assert clauses("cats or dogs") == ((W("cats"),), (W("or"),), (W("dogs"),))


def test_phrases_keep_their_words_in_order() -> None:
    parsed = parse_search('"export   ban" chips')
    assert parsed.clauses == ((P("export ban", phrase=True),), (W("chips"),))


def test_exclusions() -> None:
    parsed = parse_search('giraffe -poacher -"night safari"')
    assert parsed.clauses == ((W("giraffe"),),)
    assert parsed.excluded == (W("poacher"), P("night safari", phrase=True))


def test_hyphen_inside_a_word_is_not_an_exclusion() -> None:
    assert parse_search("e-mail").clauses == ((W("e-mail"),),)


def test_tokens_without_letters_or_digits_are_dropped() -> None:
    assert clauses('chips * ^ () -- 🚀 - ""') == ((W("chips"),),)


def test_repeated_terms_collapse() -> None:
    assert clauses("chips chips") == ((W("chips"),),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("x" * (MAX_QUERY_LENGTH + 1), "longer than"),
        (" ".join(f"w{n}" for n in range(MAX_TERMS + 1)), "more than"),
        ('"export ban', "unterminated quote"),
        ('chips "', "unterminated quote"),
        ("OR chips", "both sides"),
        ("chips OR", "both sides"),
        ("OR", "both sides"),
        ("chips OR OR ban", "twice"),
        ("chips OR -ban", "exclusion"),
        ("-chips OR ban", "exclusion"),
        ("-chips", "only exclusions"),
        ('-chips -"export ban"', "only exclusions"),
        ("*** ^^ ()", "no searchable words"),
        ("chips\x00", "control characters"),
        ("chips\x1bban", "control characters"),
        ("chips\ud800", "surrogate"),
    ],
)
def test_malformed_queries_are_400_with_a_reason(text: str, expected: str) -> None:
    assert expected in reason(text)


def test_whitespace_controls_separate_words() -> None:
    assert clauses("export\tban\nnow") == ((W("export"),), (W("ban"),), (W("now"),))


def test_fts5_quotes_every_term() -> None:
    assert to_fts5(parse_search("a b OR c")) == '"a" AND ("b" OR "c")'
    assert to_fts5(parse_search('title:x NEAR( ^y* "p q"')) == (
        '"title:x" AND "NEAR(" AND "^y*" AND "p q"'
    )


def test_fts5_exclusions_follow_the_positives() -> None:
    compiled = to_fts5(parse_search('a OR b c -x -"y z"'))
    assert compiled == '(("a" OR "b") AND "c") NOT ("x" OR "y z")'


def test_tsquery_binds_every_term() -> None:
    expression = to_tsquery(parse_search('a OR b "c d" -e'))
    compiled = expression.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
    sql = str(compiled)
    assert sql.count("plainto_tsquery") == 3 and sql.count("phraseto_tsquery") == 1
    assert "&&" in sql and "||" in sql and "!!" in sql
    assert sorted(compiled.params.values()) == ["a", "b", "c d", "e"]
    # User text only ever travels as a parameter.
    assert "'a'" not in sql and "c d" not in sql


# --- properties ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fts5() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, summary, analysis, takeaways, entities, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    connection.execute("INSERT INTO t VALUES ('export ban', 'chips', 'x', 'y', 'Acme')")
    yield connection
    connection.close()


SYNTAX = st.sampled_from(['"', "-", "OR", " ", "*", "^", "(", ")", ":", "NEAR", "AND", "NOT"])
QUERIES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(SYNTAX, st.text(max_size=6)), max_size=30).map("".join),
    st.lists(st.one_of(SYNTAX, st.text(max_size=6)), max_size=30).map(" ".join),
)


def _parse_or_refuse(text: str) -> ParsedSearch | None:
    try:
        return parse_search(text)
    except InvalidInput as error:
        refusal = error
    # Anything but InvalidInput propagates and fails the property.
    assert refusal.status == 400 and refusal.invalid_params[0].name == "q"
    return None


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_any_string_parses_or_is_refused_and_fts5_accepts_it(
    fts5: sqlite3.Connection, text: str
) -> None:
    parsed = _parse_or_refuse(text)
    if parsed is None:
        return
    assert parsed.clauses and all(parsed.clauses)
    assert sum(map(len, parsed.clauses)) + len(parsed.excluded) <= MAX_TERMS
    # The compiled expression must be valid FTS5 syntax: this raises on any syntax error.
    fts5.execute("SELECT rowid FROM t WHERE t MATCH ?", (to_fts5(parsed),)).fetchall()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=5))
def test_plain_words_always_parse_to_themselves(words: list[str]) -> None:
    parsed = parse_search(" ".join(words))
    assert [t.text for clause in parsed.clauses for t in clause] == list(dict.fromkeys(words))
