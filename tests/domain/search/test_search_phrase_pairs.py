"""PostgreSQL's word pairs for phrases (migration 0008): what they promise, and search by them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, text

from api.db.database import Database
from tests.domain.search.test_search_page import slugs
from tests.fixtures.search_corpus import ingest, item

pytestmark = pytest.mark.anyio

# Stop words, stems that meet ("bank", "banks"), a hyphenated compound (the parser gives
# it and its parts positions of their own), an apostrophe and a file path.
_WORDS = (
    *("bank", "banks", "merger", "talks", "the", "of", "state-of-the-art", "o'neil"),
    *("C:\\dir\\x.txt", "2026", "a", "Bank"),
)
_text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14).map(" ".join)
_phrase = st.lists(st.sampled_from(_WORDS), min_size=2, max_size=4).map(" ".join)

_CHECK = text(
    "SELECT to_tsvector('english', :doc) @@ phraseto_tsquery('english', :phrase), "
    "article_search_pairs(to_tsvector('english', :doc)) "
    "@@ article_search_phrase_pairs(:phrase), "
    # Exactly two lexemes, adjacent: the pair alone decides.
    "phraseto_tsquery('english', :phrase)::text ~ '^''[^'']+'' <-> ''[^'']+''$'"
)


def _postgresql_only(dialect_name: str) -> None:
    if dialect_name != "postgresql":
        pytest.skip("SQLite's FTS5 checks phrases from its own doclists")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=_text, phrase=_phrase)
def test_every_match_of_a_phrase_holds_its_pairs(
    sync_engine: Engine, doc: str, phrase: str
) -> None:
    """Searches add the pairs to a phrase's tests: a document the phrase matches must hold
    every pair, else it would be lost. A phrase of two adjacent words matches exactly the
    documents holding its one pair."""
    _postgresql_only(sync_engine.dialect.name)
    with sync_engine.connect() as connection:
        row = connection.execute(_CHECK, {"doc": doc, "phrase": phrase}).one()
    matches, paired, two_adjacent = row
    if two_adjacent:
        assert paired == matches, (doc, phrase)
    elif matches and paired is not None:  # None: no pairs, and searches leave them out
        assert paired, (doc, phrase)


async def test_a_phrase_of_common_words_is_found_only_where_they_are_adjacent(
    database: Database,
) -> None:
    """Many documents hold both words apart; two hold the phrase, one only in its
    analysis (which PostgreSQL's ranking copies hold without positions). Writes move the
    pairs. A phrase in an OR needs none: the other side may match instead."""
    apart = [
        item(f"apart-{n}", f"Cranes report {n}", summary="Cranes idle as the harbour waits.")
        for n in range(30)
    ]
    adjacent = [
        item("in-title", "Harbour cranes return to work"),
        item("in-analysis", "Port news", analysis=("The old harbour cranes were sold.",)),
        item("port-only", "Port reopens"),
    ]
    await ingest(database, [*apart, *adjacent])
    assert set(await slugs(database, '"harbour cranes"')) == {"in-title", "in-analysis"}
    assert await slugs(database, '"harbour cranes" port') == ["in-analysis"]
    either = set(await slugs(database, '"harbour cranes" OR port'))
    assert either == {"in-title", "in-analysis", "port-only"}
    excluded = set(await slugs(database, 'cranes -"harbour cranes"'))
    assert excluded == {f"apart-{n}" for n in range(30)}
    await ingest(database, [item("in-analysis", "Port news", analysis=("The cranes left.",))])
    await ingest(database, [item("apart-3", "Harbour cranes report")])
    assert set(await slugs(database, '"harbour cranes"')) == {"in-title", "apart-3"}


async def test_only_a_phrase_every_match_needs_is_looked_up_by_its_pairs(
    database: Database,
) -> None:
    _postgresql_only(database.engine.dialect.name)
    await ingest(database, [item("in-title", "Harbour cranes return to work")])
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        looked_up = {}
        for query in ('"harbour cranes"', '"harbour cranes" OR port', '"harbour of"'):
            statements.clear()
            assert await slugs(database, query) == ["in-title"]
            looked_up[query] = any(
                "@@ CAST(" in s and "article_search_pairs(" in s for s in statements
            )
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    # An OR's phrase may be stood in for; "harbour of" is one word and a stop word: no pair.
    assert looked_up == {
        '"harbour cranes"': True,
        '"harbour cranes" OR port': False,
        '"harbour of"': False,
    }
