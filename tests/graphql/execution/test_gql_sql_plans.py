"""The SQL plans answer exactly as standard execution does, key order included.

Two apps share one demo-seeded database per backend: one with the lean path and its SQL
plans, one with standard execution only. Hypothesis writes documents over the feed and
the article page: field subsets of every covered type, aliases, merged fields,
``__typename``, inline and named fragments, ``@skip``/``@include`` on literals and
variables, arguments literal or variable (filters, orders, page sizes, cursors from a
previous page, bad values), nested ``entities(type:)``, and fields no plan covers. Both
apps must give the same status and the same JSON with keys in the same order; a document
made only of covered fields with valid arguments must have been answered by the plans.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graphql.execution.fast_path import FastPath
from tests.fixtures.databases import enabled_backends
from tests.fixtures.graphql_twin import Twin, twin_apps

SCALARS = {
    "Article": [
        "id", "articleId", "slug", "title", "url", "author", "publishedAt", "createdAt",
        "updatedAt", "imageUrl", "imageCredit", "sentiment", "sentimentScore", "importance",
        "summary", "language", "version", "keyTakeaways", "analysis", "__typename",
    ],
    "Source": ["id", "slug", "name", "homepageUrl", "feedUrl", "logoUrl", "__typename"],
    "Category": ["id", "slug", "name", "icon", "__typename"],
    "Entity": ["id", "slug", "name", "type", "aliases", "ticker", "wikidataId",
               "homepageUrl", "description", "__typename"],
    "Mention": ["salience", "sentiment", "__typename"],
    "RelatedLink": ["kind", "score", "__typename"],
    "PageInfo": ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"],
}  # fmt: skip
NESTED = {
    "Article": [("source", "Source"), ("category", "Category"), ("mentions", "Mention"),
                ("entities", "Entity"), ("entities(type: COMPANY)", "Entity"),
                ("entities(type: $type)", "Entity"), ("relatedLinks", "RelatedLink")],
    "Mention": [("entity", "Entity")],
    "RelatedLink": [("article", "Article")],
}  # fmt: skip
UNCOVERED = {
    "Article": ["related(first: 1) { score }"],
    "Entity": ["mentionCount"],
    "Source": ["articles(first: 1) { nodes { slug } }"],
}
ALIASES = st.sampled_from(["", "", "", "a_", "b_"])
DIRECTIVES = st.sampled_from(
    ["", "", "", " @include(if: true)", " @skip(if: true)", " @include(if: $on)", " @skip(if: $on)"]
)


@st.composite
def selection(draw: st.DrawFn, type_name: str, depth: int = 0) -> tuple[str, bool]:
    """A selection set's body for ``type_name``, and whether the plans cover it."""
    fields: list[tuple[str, bool]] = []
    for name in draw(st.lists(st.sampled_from(SCALARS[type_name]), min_size=1, max_size=6)):
        alias = draw(ALIASES)
        fields.append((f"{alias}{name}: {name}{draw(DIRECTIVES)}" if alias else name, True))
    for name, child in NESTED.get(type_name, []):
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            body, covered = draw(selection(child, depth + 1))
            # Same-named fields with different arguments need distinct keys to validate.
            alias = draw(ALIASES) if "(" not in name else ("v_" if "$" in name else "c_")
            key = f"{alias}{name.split('(')[0]}: {name}" if alias else name
            fields.append((f"{key}{draw(DIRECTIVES)} {{ {body} }}", covered))
    if type_name in UNCOVERED and draw(st.integers(0, 12)) == 0:
        fields.append((draw(st.sampled_from(UNCOVERED[type_name])), False))
    if type_name == "Article" and draw(st.integers(0, 3)) == 0:
        fields.append(("... on Node { id }", True))
    if type_name == "Article" and draw(st.integers(0, 4)) == 0:
        fields.append(("...Card", True))
    order = draw(st.permutations(fields))
    return " ".join(text for text, _ in order), all(covered for _, covered in order)


CARD = "fragment Card on Article { slug title source { name } ... on Node { id } }"
FILTERS = [
    None,
    {"sentiment": "BULLISH"},
    {"importanceMin": 6, "importanceMax": 9},
    {"category": "markets"},
    {"entityMode": "ANY", "entities": ["no-such-entity"]},
    {"publishedAfter": "2026-01-01T00:00:00Z"},
    {"language": "en"},
    {"importanceMin": 0},  # refused
]


@st.composite
def documents(draw: st.DrawFn, slugs: list[str]) -> tuple[str, dict[str, Any], bool]:
    """(document, variables, whether the plans must answer it)."""
    node, covered = draw(selection("Article"))
    variables: dict[str, Any] = {
        "on": draw(st.booleans()),
        "type": draw(st.sampled_from(["COMPANY", "PERSON", "TOPIC", None])),
    }
    chosen = draw(st.sampled_from(FILTERS))
    first = draw(st.sampled_from([1, 2, 5, 20, 100, 0, 101]))
    variables |= {"filter": chosen, "first": first}
    order = draw(st.sampled_from(["NEWEST", "IMPORTANCE"]))
    after = draw(st.sampled_from([None, None, "bogus"]))
    valid = 1 <= first <= 100 and chosen != {"importanceMin": 0} and after is None
    arguments = f"filter: $filter, first: $first, orderBy: {order}"
    if after:
        arguments += f', after: "{after}"'
    parts = []
    shape = draw(st.sampled_from(["edges", "nodes", "both"]))
    if shape in ("edges", "both"):
        edge = draw(st.sampled_from(["cursor node", "node cursor __typename", "node"]))
        parts.append(f"edges {{ {edge.replace('node', f'node {{ {node} }}')} }}")
    if shape in ("nodes", "both"):
        parts.append(f"nodes {{ {node} }}")
    if draw(st.booleans()):
        info, _ = draw(selection("PageInfo"))
        parts.append(f"pageInfo {{ {info} }}")
    if draw(st.integers(0, 4)) == 0:
        parts.append("total: totalCount")
    roots = [f"articles({arguments}) {{ {' '.join(parts)} }}"]
    if draw(st.booleans()):
        slug = draw(st.sampled_from([*slugs[:3], "no-such-article"]))
        valid = valid and slug != "no-such-article"
        roots.append(f'one: article(slug: "{slug}") {{ {node} }}')
    if draw(st.integers(0, 5)) == 0:
        roots.append("__typename")
    body = " ".join(draw(st.permutations(roots)))
    declared = ["$filter: ArticleFilter", "$first: Int"]
    declared += ["$on: Boolean!"] * ("$on" in body) + ["$type: EntityType"] * ("$type" in body)
    document = f"query Q({', '.join(declared)}) {{ {body} }}"
    if "...Card" in document:
        document += " " + CARD
    return document, variables, covered and valid


def ordered(value: Any) -> Any:
    """JSON with every object as its list of (key, value) pairs: equal only in key order."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


@pytest.fixture(scope="module", params=enabled_backends())
def twin(request: pytest.FixtureRequest) -> Iterator[tuple[Twin, list[bool]]]:
    answered: list[bool] = []
    original = FastPath.execute

    async def counting(self: FastPath, *args: Any) -> bytes | None:
        body = await original(self, *args)
        answered.append(body is not None)
        return body

    FastPath.execute = counting  # type: ignore[method-assign,assignment]
    try:
        with twin_apps(request.param) as apps:
            yield apps, answered
    finally:
        FastPath.execute = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def slugs(twin: tuple[Twin, list[bool]]) -> list[str]:
    status, body = twin[0].post(False, "{ articles(first: 5) { nodes { slug } } }", {})
    assert status == 200
    return [node["slug"] for node in body["data"]["articles"]["nodes"]]


def answer(apps: Twin, plans: bool, document: str, variables: dict[str, Any]) -> Any:
    response = apps.send(plans, document, variables)
    return response.status_code, ordered(orjson.loads(response.content))


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_plans_answer_as_standard_execution(
    twin: tuple[Twin, list[bool]], slugs: list[str], data: Any
) -> None:
    apps, answered = twin
    document, variables, must_plan = data.draw(documents(slugs))
    answered.clear()
    planned = answer(apps, True, document, variables)
    assert planned == answer(apps, False, document, variables), document
    if must_plan:
        assert answered == [True], document


def test_paging_to_the_end_through_the_plans(twin: tuple[Twin, list[bool]]) -> None:
    apps, answered = twin
    document = (
        "query($after: String) { articles(first: 7, orderBy: IMPORTANCE, after: $after) {"
        " edges { cursor node { slug importance } } pageInfo { hasNextPage endCursor } } }"
    )
    after, pages = None, 0
    while True:
        answered.clear()
        variables = {"after": after}
        planned = answer(apps, True, document, variables)
        assert planned == answer(apps, False, document, variables)
        assert answered == [True]
        page = orjson.loads(apps.send(True, document, variables).content)["data"]["articles"]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages > 2


def test_the_bench_feed_and_an_article_page_run_on_plans(
    twin: tuple[Twin, list[bool]], slugs: list[str]
) -> None:
    from bench.scenarios import FEED_QUERY, _expand

    apps, answered = twin
    answered.clear()
    feed = _expand(FEED_QUERY)
    assert answer(apps, True, feed, {}) == answer(apps, False, feed, {})
    page = f'{{ article(slug: "{slugs[0]}") {{ title analysis source {{ name }} }} }}'
    assert answer(apps, True, page, {}) == answer(apps, False, page, {})
    assert answered == [True, True]
