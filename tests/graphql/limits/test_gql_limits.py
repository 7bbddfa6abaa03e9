"""Limits and bad input: each is refused with a coded error naming what to fix, never a 500."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import get_introspection_query, parse

from api.graphql.limits import rules as limits
from tests.fixtures.graphql_corpus import Corpus
from tests.fixtures.graphql_errors import Gql, codes

pytestmark = pytest.mark.anyio


def nested_links(levels: int) -> str:
    inner = "slug"
    for _ in range(levels):
        inner = f"relatedLinks {{ article {{ {inner} }} }}"
    return f"{{ articles(first: 1) {{ nodes {{ {inner} }} }} }}"


async def test_depth_limit(gql: Gql, corpus: Corpus) -> None:
    allowed = await gql(nested_links(3))  # depth 9
    assert "errors" not in allowed
    refused = await gql(nested_links(5))
    assert "data" not in refused
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert f"maximum operation depth of {limits.MAX_DEPTH}" in refused["errors"][0]["message"]


async def test_alias_limit(gql: Gql, corpus: Corpus) -> None:
    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{i}: categories {{ slug }}" for i in range(count)) + " }"

    assert "errors" not in await gql(aliased(limits.MAX_ALIASES))
    refused = await gql(aliased(limits.MAX_ALIASES + 1))
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in refused["errors"][0]["message"]


async def test_token_limit(gql: Gql, corpus: Corpus) -> None:
    query = "{ " + " ".join("categories { slug }" for _ in range(limits.MAX_TOKENS // 4)) + " }"
    refused = await gql(query)
    assert codes(refused) == ["GRAPHQL_PARSE_FAILED"]
    assert f"more than {limits.MAX_TOKENS} tokens" in refused["errors"][0]["message"]


async def test_node_limit_multiplies_first_down_connections(gql: Gql, corpus: Corpus) -> None:
    query = """query($outer: Int, $inner: Int) { entities(first: $outer) { nodes {
        articles(first: $inner) { nodes { slug } } } } }"""
    # 100 entities + 100 x 100 articles = 10,100 nodes: allowed.
    assert "errors" not in await gql(query, {"outer": 100, "inner": 100})
    deeper = """{ sources { articles(first: 100) { nodes { mentions { entity {
        articles(first: 100) { nodes { slug } } } } } } } }"""
    refused = await gql(deeper)
    assert "data" not in refused
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    error = refused["errors"][0]
    assert error["extensions"]["maxNodes"] == limits.MAX_NODES
    assert error["extensions"]["nodes"] > limits.MAX_NODES
    assert "Lower `first`" in error["message"]


# 100 articles, each ranking 20 related, each of those ranking 20 more: 42,100 nodes (under
# the node limit) but 2,100 rankings.
RANKINGS_OF_RANKINGS = """query($n: Int) { articles(first: $n) { nodes {
    related(first: 20) { article { related(first: 20) { score article { slug } } } } } } }"""


async def test_ranking_limit_counts_invocations(gql: Gql, corpus: Corpus) -> None:
    refused = await gql(RANKINGS_OF_RANKINGS, {"n": 100})
    assert "data" not in refused
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    error = refused["errors"][0]
    assert error["extensions"]["rankings"] == 100 + 100 * 20
    assert error["extensions"]["maxRankings"] == limits.MAX_RANKINGS
    assert "`related`" in error["message"]
    # Through a fragment, and for the entity graph too.
    fragment = """{ entities(first: 100) { nodes { ...Graph } } }
        fragment Graph on Entity { relatedEntities(first: 5) { entity {
            relatedEntities(first: 5) { count } } } }"""
    assert codes(await gql(fragment)) == ["GRAPHQL_VALIDATION_FAILED"]
    # A ranking per card of a full feed page is allowed, as is the nested shape on one article.
    feed = "{ articles(first: 100) { nodes { related(first: 50) { score } } } }"
    assert "errors" not in await gql(feed)
    assert "errors" not in await gql(RANKINGS_OF_RANKINGS, {"n": 1})


async def test_circular_fragments_are_refused(gql: Gql, corpus: Corpus) -> None:
    refused = await gql(
        """query { sources { ...A } }
           fragment A on Source { articles { nodes { source { ...B } } } }
           fragment B on Source { ...A }"""
    )
    assert "data" not in refused
    assert "GRAPHQL_VALIDATION_FAILED" in codes(refused)


@pytest.mark.parametrize(
    ("field", "first", "maximum"),
    [
        ("articles", 101, 100),
        ("articles", 0, 100),
        ("articles", -5, 100),
        ("entities", 101, 100),
        ('source(slug: "alpha-news") { articles', 0, 100),
    ],
)
async def test_first_out_of_range(
    gql: Gql, corpus: Corpus, field: str, first: int, maximum: int
) -> None:
    closing = " }" if "{" in field else ""
    payload = await gql(f"{{ {field}(first: {first}) {{ nodes {{ slug }} }}{closing} }}")
    assert codes(payload) == ["BAD_USER_INPUT"]
    error = payload["errors"][0]
    assert error["extensions"]["argument"] == "first"
    assert f"between 1 and {maximum}" in error["message"]


async def test_related_first_is_bounded(gql: Gql, corpus: Corpus) -> None:
    payload = await gql('{ article(slug: "story-0009") { related(first: 51) { score } } }')
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["errors"][0]["path"] == ["article", "related"]


BAD_INPUT: list[tuple[str, str, dict[str, Any], str]] = [
    ("nul-literal", '{ entity(slug: "a\\u0000b") { slug } }', {}, "slug"),
    (
        "nul-variable",
        "query($f: ArticleFilter) { articles(filter: $f) { nodes { slug } } }",
        {"f": {"entities": ["ok", "bad\x00"]}},
        "$f",
    ),
    ("huge-slug", "query($s: String!) { entity(slug: $s) { slug } }", {"s": "x" * 50_000}, "slug"),
    (
        "huge-query",
        "query($q: String) { entities(query: $q) { nodes { slug } } }",
        {"q": "y" * 5_000},
        "query",
    ),
    (
        "naive-datetime",
        '{ articles(filter: {publishedAfter: "2026-01-01T00:00:00"}) { nodes { slug } } }',
        {},
        "filter.publishedAfter",
    ),
    (
        "date-overflow",
        "query($f: ArticleFilter) { articles(filter: $f) { nodes { slug } } }",
        {"f": {"publishedBefore": "0001-01-01T00:00:00+05:00"}},
        "filter.publishedBefore",
    ),
    ("malformed-cursor", '{ articles(after: "%%%") { nodes { slug } } }', {}, "after"),
    (
        "forged-cursor",  # base64url of ["newest", 1e30, 1]: decodes, but out of range
        '{ articles(after: "WyJuZXdlc3QiLDEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAsMV0") '
        "{ nodes { slug } } }",
        {},
        "after",
    ),
    ("entity-cursor", '{ entities(after: "bm9wZQ") { nodes { slug } } }', {}, "after"),
    (
        "importance",
        "{ articles(filter: {importanceMin: -2147483648}) { nodes { slug } } }",
        {},
        "filter.importanceMin",
    ),
    (
        "bad-slug",
        '{ articles(filter: {category: "Not A Slug"}) { nodes { slug } } }',
        {},
        "filter.category",
    ),
    (
        "too-many-entities",
        "query($f: ArticleFilter) { articles(filter: $f) { nodes { slug } } }",
        {"f": {"entities": [f"e{i}" for i in range(21)]}},
        "filter.entities",
    ),
    (
        "language",
        '{ articles(filter: {language: "english please"}) { nodes { slug } } }',
        {},
        "filter.language",
    ),
]


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [(q, v, a) for _n, q, v, a in BAD_INPUT],
    ids=[n for n, *_ in BAD_INPUT],
)
async def test_bad_input_names_the_argument(
    gql: Gql, corpus: Corpus, query: str, variables: dict[str, Any], argument: str
) -> None:
    payload = await gql(query, variables)
    assert codes(payload) == ["BAD_USER_INPUT"]
    assert payload["errors"][0]["extensions"]["argument"] == argument


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (
            "query($o: ArticleOrder) { articles(orderBy: $o) { totalCount } }",
            {"o": "OLD"},
            "BAD_USER_INPUT",
        ),
        ("{ articles(orderBy: OLDEST) { totalCount } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ('{ entities(type: "company") { nodes { slug } } }', {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int) { articles(first: $n) { totalCount } }", {"n": "ten"}, "BAD_USER_INPUT"),
        ("query($n: Int) { articles(first: $n) { totalCount } }", {"n": 2**40}, "BAD_USER_INPUT"),
        ("{ articles(first: 99999999999) { totalCount } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }",
            {"f": {"publishedAfter": "yesterday"}},
            "BAD_USER_INPUT",
        ),
        ("{ articles( }", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("mutation { nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_request_errors_carry_codes_and_no_data(
    gql: Gql, corpus: Corpus, query: str, variables: dict[str, Any], code: str
) -> None:
    payload = await gql(query, variables)
    assert "data" not in payload
    assert codes(payload) == [code]


async def test_unknown_keys_are_null_not_errors(gql: Gql, corpus: Corpus) -> None:
    payload = await gql(
        """{ a: article(slug: "nope") { slug } e: entity(slug: "nope") { slug }
            s: source(slug: "nope") { slug } n: node(id: "bm9wZQ==") { id }
            weird: entity(slug: "Not A Slug!") { slug } }"""
    )
    assert payload == {"data": {"a": None, "e": None, "s": None, "n": None, "weird": None}}


async def test_a_failing_field_does_not_break_its_siblings_statements(
    gql: Gql, corpus: Corpus
) -> None:
    # One source's `articles` fails; graphql-core then cancels its siblings mid-statement.
    payload = await gql(
        '{ sources { articles(first: 100, after: "") { nodes { analysis } } } categories { slug } }'
    )
    assert payload["data"] is None
    assert set(codes(payload)) == {"BAD_USER_INPUT"}
    assert (await gql("{ categories { slug } }"))["data"]["categories"]


async def test_fragment_bombs_are_refused_before_validation(gql: Gql, corpus: Corpus) -> None:
    # 31 fragments, each spreading the next twice: ~200 tokens expanding to 2**30 fields.
    depth = 30
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(depth)
    )
    query = f"query {{ ...F0 }} {fragments} fragment F{depth} on Query {{ categories {{ slug }} }}"
    started = time.perf_counter()
    refused = await gql(query)
    assert time.perf_counter() - started < 2
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert refused["errors"][0]["extensions"]["maxExpandedFields"] == limits.MAX_EXPANDED_FIELDS


def test_introspection_fits_the_limits() -> None:
    document = parse(get_introspection_query(descriptions=True))
    assert limits.expanded_size(document) < limits.MAX_EXPANDED_FIELDS
