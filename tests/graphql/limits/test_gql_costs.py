"""The cost limits leave room for every query the site and the guide send.

The reference frontend's queries (api/web/static/js) and the examples in docs/graphql.md
are estimated as the limits would, with their default page sizes: each must sit well
within the node and ranking limits, so the limits only ever refuse queries nobody needs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from api.graphql.limits import rules as limits
from api.graphql.limits.cost import Cost, estimate_cost
from api.graphql.schema import build_schema

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "api" / "web" / "static" / "js"
SCHEMA = build_schema()._schema


def _costs(document: DocumentNode) -> list[Cost]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return [
        estimate_cost(SCHEMA, d, fragments, {})
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]


def _site_documents() -> dict[str, DocumentNode]:
    card = re.search(r"CARD_FIELDS = `(.*?)`", (SITE / "api.js").read_text(), re.S)
    assert card is not None
    documents = {}
    for page in sorted((SITE / "pages").glob("*.js")):
        for query in re.findall(r"const QUERY = `(.*?)`;", page.read_text(), re.S):
            documents[page.stem] = parse(query.replace("${CARD_FIELDS}", card.group(1)))
    return documents


def _guide_documents() -> list[DocumentNode]:
    blocks = re.findall(r"```graphql\n(.*?)```", (ROOT / "docs" / "graphql.md").read_text(), re.S)
    return [parse(block) for block in blocks]


def test_the_sites_queries_are_well_within_the_limits() -> None:
    documents = _site_documents()
    assert {"article", "entity", "feed", "search"} <= documents.keys()
    for page, document in documents.items():
        for nodes, rankings in _costs(document):
            assert nodes <= limits.MAX_NODES // 10, page
            assert rankings <= limits.MAX_RANKINGS // 10, page


def test_the_guides_examples_are_well_within_the_limits() -> None:
    costs = [cost for document in _guide_documents() for cost in _costs(document)]
    assert len(costs) >= 8
    assert sum(cost.rankings for cost in costs) > 0  # the ranking examples are among them
    for nodes, rankings in costs:
        assert nodes <= limits.MAX_NODES // 10
        assert rankings <= limits.MAX_RANKINGS // 10


@pytest.mark.parametrize(
    ("query", "rankings"),
    [
        ('{ search(query: "x", first: 100) { edges { node { slug } } } }', 1),
        ("{ articles(first: 30) { nodes { related { score } } } }", 30),
        # Aliases each rank; lists without `first` count as ten parents.
        ("{ articles { nodes { a: related { score } b: related { score } } } }", 40),
        ("{ sources { articles(first: 2) { nodes { related { score } } } } }", 20),
        ("{ trendingEntities(window: DAYS_7) { entity { relatedEntities { count } } } }", 21),
        ("{ articles(first: 5) { nodes { relatedLinks { article { slug } } } } }", 0),
    ],
)
def test_rankings_are_counted_per_parent(query: str, rankings: int) -> None:
    (cost,) = _costs(parse(query))
    assert cost.rankings == rankings


def test_a_mutations_results_count_from_the_mutation_root() -> None:
    created = "... on ArticleMutationSuccess { article { related(first: 5) { score } } }"
    query = " ".join(f"a{i}: createArticle(input: $input) {{ {created} }}" for i in range(3))
    (cost,) = _costs(parse(f"mutation($input: ArticleInput!) {{ {query} }}"))
    assert cost.rankings == 3
