"""The feed through GraphQL: every filter, both orderings, and exactly-once paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.databases import THROUGH_POOLER
from tests.fixtures.graphql_corpus import BASE_TIME, Corpus, SeedArticle
from tests.fixtures.graphql_errors import Gql, codes

# Also through PgBouncer in transaction mode (tests/fixtures/pgbouncer.py).
pytestmark = [pytest.mark.anyio, THROUGH_POOLER]

PAGE = """query($filter: ArticleFilter, $order: ArticleOrder, $first: Int, $after: String) {
  articles(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def page_through(
    gql: Gql, *, first: int, order: str = "NEWEST", filter: dict[str, Any] | None = None
) -> tuple[list[str], int]:
    """Every slug the feed yields, following endCursor; and the reported totalCount."""
    slugs: list[str] = []
    after = None
    total = -1
    for _ in range(1000):
        variables = {"filter": filter, "order": order, "first": first, "after": after}
        connection = (await gql(PAGE, variables))["data"]["articles"]
        total = connection["totalCount"]
        assert len(connection["edges"]) <= first
        slugs += [edge["node"]["slug"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return slugs, total
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError("paging did not terminate")


@pytest.mark.parametrize("order", ["NEWEST", "IMPORTANCE"])
async def test_paging_visits_every_article_exactly_once_in_order(
    gql: Gql, corpus: Corpus, order: str
) -> None:
    expected = corpus.newest_first() if order == "NEWEST" else corpus.by_importance()
    slugs, total = await page_through(gql, first=7, order=order)
    assert slugs == [a.slug for a in expected]
    assert total == len(corpus.articles)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


FILTERS: list[tuple[str, dict[str, Any], Callable[[SeedArticle], bool]]] = [
    ("category", {"category": "crypto"}, lambda a: a.category == "crypto"),
    ("sentiment", {"sentiment": "BEARISH"}, lambda a: a.sentiment == "bearish"),
    ("importance", {"importanceMin": 4, "importanceMax": 6}, lambda a: 4 <= a.importance <= 6),
    ("source", {"source": "gamma-daily"}, lambda a: a.source == "gamma-daily"),
    ("language", {"language": "de"}, lambda a: a.language == "de"),
    (
        "entities-all",
        {"entities": ["bitcoin", "openai"]},
        lambda a: {"bitcoin", "openai"} <= set(a.entities),
    ),
    (
        "entities-any",
        {"entities": ["bitcoin", "sec"], "entityMode": "ANY"},
        lambda a: bool({"bitcoin", "sec"} & set(a.entities)),
    ),
    (
        "exclude",
        {"excludeEntities": ["gpu", "anthropic"]},
        lambda a: not {"gpu", "anthropic"} & set(a.entities),
    ),
    (
        "published-window",
        {
            "publishedAfter": _iso(BASE_TIME + dt.timedelta(hours=10)),
            # A non-UTC offset: 20:00+02:00 is 18:00 UTC.
            "publishedBefore": (BASE_TIME + dt.timedelta(hours=20))
            .astimezone(dt.timezone(dt.timedelta(hours=2)))
            .isoformat(),
        },
        lambda a: (
            BASE_TIME + dt.timedelta(hours=10)
            <= a.published_at
            < BASE_TIME + dt.timedelta(hours=20)
        ),
    ),
    (
        "combined",
        {"category": "ai", "sentiment": "BULLISH", "importanceMin": 2, "language": "en"},
        lambda a: (
            a.category == "ai"
            and a.sentiment == "bullish"
            and a.importance >= 2
            and a.language == "en"
        ),
    ),
    ("unknown-slug", {"category": "no-such-category"}, lambda a: False),
]


@pytest.mark.parametrize(
    ("filter", "keep"), [(f, k) for _n, f, k in FILTERS], ids=[n for n, _f, _k in FILTERS]
)
async def test_filters(
    gql: Gql, corpus: Corpus, filter: dict[str, Any], keep: Callable[[SeedArticle], bool]
) -> None:
    expected = [a.slug for a in corpus.newest_first() if keep(a)]
    slugs, total = await page_through(gql, first=50, filter=filter)
    assert slugs == expected
    assert total == len(expected)


async def test_entity_articles_page_and_filter(gql: Gql, corpus: Corpus) -> None:
    query = """query($after: String) { entity(slug: "ethereum") {
        articles(first: 4, after: $after, filter: {language: "en"}) {
          totalCount nodes { slug } pageInfo { hasNextPage endCursor } } } }"""
    expected = [
        a.slug for a in corpus.newest_first() if "ethereum" in a.entities and a.language == "en"
    ]
    seen: list[str] = []
    after = None
    while True:
        connection = (await gql(query, {"after": after}))["data"]["entity"]["articles"]
        assert connection["totalCount"] == len(expected)
        seen += [n["slug"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == expected


async def test_cursor_of_one_ordering_is_refused_by_another(gql: Gql, corpus: Corpus) -> None:
    first = await gql(PAGE, {"first": 2, "order": "NEWEST"})
    cursor = first["data"]["articles"]["pageInfo"]["endCursor"]
    payload = await gql(PAGE, {"first": 2, "order": "IMPORTANCE", "after": cursor})
    assert payload["data"] is None
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["errors"][0]["extensions"]["argument"] == "after"
    assert payload["errors"][0]["path"] == ["articles"]
