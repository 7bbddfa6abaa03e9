"""Compiled plans answer exactly as standard execution does, over generated queries.

Two apps share one demo-seeded database per backend: one with compiled plans, one
without (``graphql_compiled=False``). Hypothesis writes queries over the feed and the
article page: field subsets, aliases, repeated (merged) fields, ``__typename``, inline
and named fragments, arguments literal or variable, valid or not, and fields no plan
covers. Both apps must give the same status and the same JSON, byte for byte after
parsing; a query made only of covered fields with valid arguments must have been
answered by its plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graphql.execution import compiled
from api.graphql.execution import plan as compiled_plan
from api.graphql.execution.fast_path import FastPath
from tests.fixtures.databases import enabled_backends
from tests.fixtures.graphql_twin import Twin, twin_apps

# (selection, covered by plans)
Field = tuple[str, bool]

SCALARS = {
    "Article": [
        "id", "articleId", "slug", "title", "url", "author", "publishedAt", "createdAt",
        "updatedAt", "imageUrl", "imageCredit", "sentiment", "sentimentScore", "importance",
        "summary", "language", "version", "__typename",
    ],
    "Source": ["id", "slug", "name", "homepageUrl", "feedUrl", "logoUrl", "__typename"],
    "Category": ["id", "slug", "name", "icon", "__typename"],
    "Entity": ["id", "slug", "name", "type", "__typename"],
    "Mention": ["salience", "sentiment", "__typename"],
    "PageInfo": ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"],
}  # fmt: skip
# Fields no plan covers: the request must still answer as the standard path does.
UNCOVERED = {
    "Article": [
        "analysis", "keyTakeaways", "relatedLinks { kind score }", "related(first: 2) { score }",
        "entities(type: COMPANY) { slug }",
    ],
    "Source": ["articles(first: 1) { nodes { slug } }"],
    "Entity": ["aliases", "ticker", "mentionCount"],
    "Connection": ["totalCount"],
}  # fmt: skip
ALIAS_PREFIXES = st.sampled_from(["", "", "a_", "b_"])


@st.composite
def _selection(draw: st.DrawFn, type_name: str, depth: int = 0) -> Field:
    """A selection set's body for ``type_name``: its text and whether plans cover it."""
    fields: list[Field] = []
    scalars = SCALARS[type_name]
    for name in draw(st.lists(st.sampled_from(scalars), min_size=1, max_size=6)):
        # An alias names one field only (two fields under one key would not validate);
        # a field drawn twice is merged.
        prefix = draw(ALIAS_PREFIXES)
        fields.append((f"{prefix}{name}: {name}" if prefix else name, True))
    nested: dict[str, list[tuple[str, str]]] = {
        "Article": [("source", "Source"), ("category", "Category"), ("mentions", "Mention"),
                    ("entities", "Entity")],
        "Mention": [("entity", "Entity")],
    }  # fmt: skip
    for name, child in nested.get(type_name, []):
        if depth < 3 and draw(st.booleans()):
            body, covered = draw(_selection(child, depth + 1))
            fields.append((f"{name} {{ {body} }}", covered))
    if type_name in UNCOVERED and draw(st.integers(0, 9)) == 0:
        fields.append((draw(st.sampled_from(UNCOVERED[type_name])), False))
    if type_name == "Article" and draw(st.booleans()):
        fields.append(("... on Node { id }", True))
    if type_name == "Article" and draw(st.integers(0, 3)) == 0:
        fields.append(("...Card", True))
    order = draw(st.permutations(fields))
    return " ".join(text for text, _ in order), all(covered for _, covered in order)


CARD_FRAGMENT = "fragment Card on Article { slug title source { name } ... on Node { id } }"


@st.composite
def queries(draw: st.DrawFn, slugs: list[str]) -> tuple[str, dict[str, Any], bool, bool]:
    """(document, variables, whether a plan must answer it, whether without errors)."""
    node, covered = draw(_selection("Article"))
    variables: dict[str, Any] = {}
    valid = True
    if draw(st.booleans()):
        first = draw(st.sampled_from([1, 2, 5, 20, 3, 10, 0, 101]))
        valid = 1 <= first <= 100
        arguments = ["first: $first"]
        variables["first"] = first
        definitions = "($first: Int)"
    else:
        arguments = [f"first: {draw(st.integers(1, 25))}"]
        definitions = ""
    extra = draw(
        st.sampled_from(
            [
                "",
                "orderBy: IMPORTANCE",
                "filter: {sentiment: BULLISH}",
                "filter: {importanceMin: 6}",
                'filter: {category: "markets"}',
                "orderBy: NEWEST",
                'after: "bogus"',
            ]
        )
    )
    valid = valid and extra != 'after: "bogus"'
    if extra:
        arguments.append(extra)
    shape = draw(st.sampled_from(["edges", "nodes", "both"]))
    parts = []
    if shape in ("edges", "both"):
        parts.append(f"edges {{ cursor node {{ {node} }} }}")
    if shape in ("nodes", "both"):
        parts.append(f"nodes {{ {node} }}")
    if draw(st.booleans()):
        info, _ = draw(_selection("PageInfo"))
        parts.append(f"pageInfo {{ {info} }}")
    if draw(st.integers(0, 9)) == 0:
        parts.append(UNCOVERED["Connection"][0])
        covered = False
    roots = [f"articles({', '.join(arguments)}) {{ {' '.join(parts)} }}"]
    if draw(st.booleans()):
        slug = draw(st.sampled_from([*slugs[:3], "no-such-article"]))
        roots.append(f'one: article(slug: "{slug}") {{ {node} }}')
    document = f"query Q{definitions} {{ {' '.join(draw(st.permutations(roots)))} }}"
    if "...Card" in document:
        document += " " + CARD_FRAGMENT
    # A plan reports a failed root field itself when it is the only one.
    return document, variables, covered and (valid or len(roots) == 1), valid


@dataclass
class CountedTwin:
    """The twin apps, and which compiled path answered each request."""

    apps: Twin
    compiled_runs: list[bool]

    def post(self, plans: bool, document: str, variables: dict[str, Any]) -> tuple[int, Any]:
        return self.apps.post(plans, document, variables)


@pytest.fixture(scope="module", params=enabled_backends())
def twin(request: pytest.FixtureRequest) -> Iterator[CountedTwin]:
    runs: list[bool] = []
    original = compiled.CompiledExecution._run
    original_lean = FastPath.execute

    async def counting(self: compiled.CompiledExecution, plan: compiled_plan.Plan) -> None:
        await original(self, plan)
        runs.append(self.execution_context.result is not None)

    async def counting_lean(self: FastPath, *args: Any) -> bytes | None:
        body = await original_lean(self, *args)
        if body is not None:  # answered by the SQL plans: a compiled path too
            runs.append(True)
        return body

    compiled.CompiledExecution._run = counting  # type: ignore[method-assign]
    FastPath.execute = counting_lean  # type: ignore[method-assign,assignment]
    try:
        with twin_apps(request.param) as apps:
            yield CountedTwin(apps, runs)
    finally:
        compiled.CompiledExecution._run = original  # type: ignore[method-assign]
        FastPath.execute = original_lean  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def slugs(twin: CountedTwin) -> list[str]:
    status, body = twin.post(True, "{ articles(first: 5) { nodes { slug } } }", {})
    assert status == 200
    return [node["slug"] for node in body["data"]["articles"]["nodes"]]


def _drop_plans() -> None:
    # A plan that stepped aside too often is dropped; a fresh cache per example keeps one
    # example's failures from deciding another's path.
    compiled._plan.cache_clear()


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_plans_answer_as_standard_execution(twin: CountedTwin, slugs: list[str], data: Any) -> None:
    document, variables, must_compile, valid = data.draw(queries(slugs))
    _drop_plans()
    twin.compiled_runs.clear()
    with_plans = twin.post(True, document, variables)
    standard = twin.post(False, document, variables)
    assert with_plans == standard, document
    if must_compile:
        assert twin.compiled_runs == [True], document
    assert with_plans[0] == 200
    assert ("errors" not in with_plans[1]) == valid or not must_compile, with_plans


def test_the_feed_page_and_an_article_page_run_compiled(
    twin: CountedTwin, slugs: list[str]
) -> None:
    from bench.scenarios import FEED_QUERY, _expand

    _drop_plans()
    twin.compiled_runs.clear()
    feed = _expand(FEED_QUERY)
    assert twin.post(True, feed, {}) == twin.post(False, feed, {})
    page = (
        f'{{ article(slug: "{slugs[0]}") {{ title source {{ name }} mentions {{ salience }} }} }}'
    )
    assert twin.post(True, page, {}) == twin.post(False, page, {})
    assert twin.compiled_runs == [True, True]


def test_a_bad_argument_is_the_plans_to_report(twin: CountedTwin) -> None:
    _drop_plans()
    twin.compiled_runs.clear()
    bad = 'query { articles(after: "bogus") { nodes { slug } } }'
    for _ in range(compiled.MAX_FALLBACKS + 1):
        assert twin.post(True, bad, {}) == twin.post(False, bad, {})
    assert twin.compiled_runs == [True] * (compiled.MAX_FALLBACKS + 1)


def test_a_plan_that_keeps_stepping_aside_is_dropped(
    twin: CountedTwin, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any) -> None:
        raise RuntimeError("mentions went missing")

    monkeypatch.setattr(compiled_plan, "_load_mentions", broken)
    monkeypatch.setattr(FastPath, "prepare", lambda *_args: None)  # the SQL plans step aside
    _drop_plans()
    twin.compiled_runs.clear()
    query = "{ articles(first: 2) { nodes { slug mentions { salience } } } }"
    for _ in range(compiled.MAX_FALLBACKS + 2):
        assert twin.post(True, query, {}) == twin.post(False, query, {})
    # Each attempt stepped aside to the standard path; then the plan was no longer tried.
    assert twin.compiled_runs == [False] * compiled.MAX_FALLBACKS
