"""No N+1: the statements a query runs do not grow with the page size."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from api.demo import generate_demo
from tests.fixtures.databases import recording_statements
from tests.fixtures.graphql_corpus import Corpus
from tests.fixtures.graphql_errors import Gql

pytestmark = pytest.mark.anyio

FEED = """query($first: Int) { articles(first: $first) { totalCount edges { cursor node {
  id slug title source { slug name } category { slug icon }
  mentions { salience entity { slug name type ticker mentionCount } }
  entities { slug }
  keyTakeaways analysis
  relatedLinks { kind score article { slug title source { name } category { slug } } }
  related(first: 3) { score article { slug }
                      explanation { kind sharedEntities { contribution entity { slug } } } }
} } } }"""


@pytest.fixture
def statements(app: Starlette) -> Iterator[list[str]]:
    """SQL sent to the database; transaction control (SQLite's BEGIN) left out."""
    log: list[str] = []

    def record(_where: str, statement: str) -> None:
        if statement.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            log.append(statement)

    with recording_statements(app.state.db, record):
        yield log


async def _feed_counts(gql: Gql, statements: list[str]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for first in (20, 100):
        statements.clear()
        payload = await gql(FEED, {"first": first})
        assert "errors" not in payload
        assert len(payload["data"]["articles"]["edges"]) == first
        counts[first] = len(statements)
    return counts


async def test_feed_statement_count_is_independent_of_page_size(
    gql: Gql, corpus: Corpus, statements: list[str]
) -> None:
    assert len(corpus.articles) > 100
    # page, count, mentions, bodies, links, link targets, mention counts, entity details,
    # and for `related` (RelatedByArticleLoader): seeds, links, candidates, headlines, targets
    counts = await _feed_counts(gql, statements)
    assert counts[20] == counts[100] == 13, counts


async def test_same_on_the_demo_corpus(
    gql: Gql, sync_engine: Engine, statements: list[str]
) -> None:
    generate_demo(sync_engine, articles=150, seed=3, if_empty=False, progress=False)
    counts = await _feed_counts(gql, statements)
    assert counts[20] == counts[100] <= 13, counts


async def test_article_page_statement_count(
    gql: Gql, corpus: Corpus, statements: list[str]
) -> None:
    payload = await gql(
        """{ article(slug: "story-0042") { title source { name } category { name }
            analysis keyTakeaways mentions { salience entity { name type } }
            related { score article { title source { name } } } } }"""
    )
    assert payload["data"]["article"]["title"] == "Story 42"
    # article, body, mentions; related: seed, links, candidates, headlines, targets
    assert len(statements) == 8, statements


async def test_plain_fields_need_only_the_page(
    gql: Gql, corpus: Corpus, statements: list[str]
) -> None:
    payload = await gql(
        "{ articles(first: 100) { edges { cursor node { slug title source { name } "
        "category { name } publishedAt sentiment } } pageInfo { endCursor } } }"
    )
    assert len(payload["data"]["articles"]["edges"]) == 100
    assert len(statements) == 1
