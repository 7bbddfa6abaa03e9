"""The load scenarios: REST and GraphQL asking for the same fields, plus the baselines."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import orjson

from bench.corpus import Fixtures
from bench.wrk import HttpRequest

FEED_LIMIT = 20
GRAPHQL_PATH = "/graphql"

# The REST feed item's default fields, in GraphQL spelling.
CARD = """articleId slug title url author publishedAt updatedAt imageUrl imageCredit
  sentiment sentimentScore importance summary language version
  source { slug name homepageUrl feedUrl logoUrl } category { slug name icon }
  mentions { salience sentiment entity { slug name type } }"""
CONNECTION = "edges { cursor node { CARD } } pageInfo { hasNextPage endCursor }"
FEED_QUERY = """query Feed($after: String) {
  articles(first: LIMIT, after: $after) { CONNECTION } }"""
# The REST article page: the card plus body and stored links (entity_groups is REST-only).
ARTICLE_QUERY = """query Article($slug: String!) { article(slug: $slug) { CARD createdAt
  analysis keyTakeaways
  relatedLinks { kind score article { articleId slug title url publishedAt source { slug name } } }
} }"""
RELATED_QUERY = """query Related($slug: String!) { article(slug: $slug) { articleId
  related(first: 10) { score article { articleId slug title url publishedAt
    source { slug name } }
    explanation { kind sharedEntities { contribution entity { slug name } } } } } }"""
# The REST search page: hits with score and snippet around the same card.
SEARCH_QUERY = """query Search($q: String!) {
  search(query: $q, first: LIMIT) { edges { cursor score snippet node { CARD } }
    pageInfo { hasNextPage endCursor } } }"""
ENTITY_QUERY = """query Entity($slug: String!) {
  entity(slug: $slug) { articles(first: LIMIT) { CONNECTION } } }"""


# The peer (bench.peer): the same page in PostGraphile 4's default inflection, checked against
# the schema it generates for our tables. Its mentions are all of an article's, as ours.
PEER_SCENARIO = "postgraphile.feed"
PEER_CARD = """publicId slug title url author publishedAt updatedAt imageUrl imageCredit
  sentiment sentimentScore importance summary language version
  sourceBySourceId { slug name homepageUrl feedUrl logoUrl } categoryByCategoryId { slug name icon }
  mentionsByArticleId(orderBy: [SALIENCE_DESC]) { nodes { salience sentiment
    entityByEntityId { slug name type } } }"""
PEER_QUERY = """query Feed($after: Cursor) {
  allArticles(orderBy: [PUBLISHED_AT_DESC, ID_DESC], first: LIMIT, after: $after) {
    edges { cursor node { PEER_CARD } } pageInfo { hasNextPage endCursor } } }"""


def _expand(query: str) -> str:
    # Placeholders, not %-formatting or str.format: the queries are full of braces.
    return (
        query.replace("CONNECTION", CONNECTION)
        .replace("PEER_CARD", PEER_CARD)
        .replace("CARD", CARD)
        .replace("LIMIT", str(FEED_LIMIT))
    )


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    target: str  # "app", a baseline factory name ("b0", "b2_article", ...), or "postgraphile"
    requests: list[HttpRequest]
    description: str
    probe: str | None = None  # a GET that must not answer 404, else the scenario is skipped
    quick: bool = False  # part of --quick
    paced: bool = False  # also measured open loop at a fraction of its peak rate (bench.paced)


def _get(*paths: str) -> list[HttpRequest]:
    return [HttpRequest("GET", path) for path in paths]


def _gql(query: str, variables: list[dict[str, str]]) -> list[HttpRequest]:
    text = _expand(query)
    return [
        HttpRequest("POST", GRAPHQL_PATH, orjson.dumps({"query": text, "variables": v}))
        for v in variables
    ]


def _article_paths(fx: Fixtures) -> list[str]:
    return [f"/v1/articles/{slug}" for slug in fx.article_slugs]


def app_scenarios(fx: Fixtures) -> list[Scenario]:
    feed = f"/v1/articles?limit={FEED_LIMIT}"
    slugs, entities = fx.article_slugs, fx.entity_slugs
    by_slug = [{"slug": slug} for slug in slugs]
    by_entity = [{"slug": slug} for slug in entities]
    page = "feed page of 20"
    deep = f"keyset page after row {fx.deep_offset:,} (90 %)"
    pages = f"article page, {len(slugs)} slugs"
    related = f"related, {len(slugs)} articles"
    of_entity = f"an entity's articles, {len(entities)} entities"
    article_paths = _article_paths(fx)
    search = [f"/v1/search?q={quote(term)}&limit={FEED_LIMIT}" for term in fx.search_terms]
    probe = search[0] if search else "/v1/search?q=market"
    return [
        Scenario("rest.feed", "app", _get(feed), page, quick=True, paced=True),
        Scenario("graphql.feed", "app", _gql(FEED_QUERY, [{}]), page, quick=True, paced=True),
        Scenario("rest.feed.deep", "app", _get(f"{feed}&cursor={fx.deep_cursor}"), deep),
        Scenario("graphql.feed.deep", "app", _gql(FEED_QUERY, [{"after": fx.deep_cursor}]), deep),
        Scenario("rest.article", "app", _get(*article_paths), pages, quick=True, paced=True),
        Scenario("graphql.article", "app", _gql(ARTICLE_QUERY, by_slug), pages, paced=True),
        Scenario(
            "rest.related",
            "app",
            _get(*(f"{p}/related" for p in article_paths)),
            related,
            paced=True,
        ),
        Scenario("graphql.related", "app", _gql(RELATED_QUERY, by_slug), related, paced=True),
        Scenario(
            "rest.search",
            "app",
            _get(*search),
            f"search, {len(search)} terms",
            probe=probe,
            paced=True,
        ),
        Scenario(
            "graphql.search",
            "app",
            _gql(SEARCH_QUERY, [{"q": term} for term in fx.search_terms]),
            f"search, {len(search)} terms",
            paced=True,
        ),
        Scenario(
            "rest.entity.articles",
            "app",
            _get(*(f"/v1/entities/{e}/articles?limit={FEED_LIMIT}" for e in entities)),
            of_entity,
        ),
        Scenario("graphql.entity.articles", "app", _gql(ENTITY_QUERY, by_entity), of_entity),
    ]  # fmt: skip


B2_WHAT = "bare Starlette route, same SQL, raw driver + orjson"
B2_ARTICLE = "B2.article"
B2_ARTICLE_WHAT = (
    "bare Starlette route, article page SQL (article, mentions, links), raw driver + orjson"
)


def baseline_scenarios(fx: Fixtures) -> list[Scenario]:
    feed = _get(f"/v1/articles?limit={FEED_LIMIT}")
    # The same article pages as rest.article, in the same order.
    articles = _get(*_article_paths(fx))
    return [
        Scenario("B0", "b0", feed, "bare ASGI callable, same bytes as rest.feed"),
        Scenario("B1", "b1", feed, "bare Starlette route, same bytes as rest.feed"),
        Scenario("B2", "b2", feed, B2_WHAT, quick=True, paced=True),
        Scenario(B2_ARTICLE, "b2_article", articles, B2_ARTICLE_WHAT, paced=True),
    ]  # fmt: skip


def peer_scenarios(version: str) -> list[Scenario]:
    what = f"PostGraphile {version}: graphql.feed's page and fields (PostgreSQL only)"
    return [Scenario(PEER_SCENARIO, "postgraphile", _gql(PEER_QUERY, [{}]), what, quick=True)]
