"""Forged cursors reach the domain, which refuses them: the door answers BAD_USER_INPUT.

Each cursor below decodes and has the right kind, but a value no page could end on (past
its column's range): the domain's InvalidInput, never a driver error or a 500.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.fixtures.graphql_corpus import Corpus
from tests.fixtures.graphql_errors import Gql, codes

pytestmark = pytest.mark.anyio

HUGE = 2**63 - 1  # a 64-bit integer, past every column it could be compared with


def forged(kind: str, *key: object) -> str:
    raw = json.dumps([kind, *key]).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


CASES = [
    ("feed", "{ articles(after: $c) { nodes { slug } } }", forged("newest", 0, HUGE)),
    (
        "feed-importance",
        "{ articles(orderBy: IMPORTANCE, after: $c) { nodes { slug } } }",
        forged("importance", HUGE, 0, 1),
    ),
    (
        "source-articles",
        '{ source(slug: "alpha-news") { articles(after: $c) { nodes { slug } } } }',
        forged("newest", HUGE, 1),
    ),
    (
        "search",
        '{ search(query: "market", after: $c) { edges { cursor } } }',
        forged("search", HUGE, 0, 0, "1.0", 1),
    ),
    ("entities", "{ entities(after: $c) { nodes { slug } } }", forged("entities", "x" * 300, "x")),
    ("changes", "{ changes(since: $c) { nextCursor } }", forged("changes", HUGE)),
]


@pytest.mark.parametrize(
    ("selection", "cursor"), [(s, c) for _n, s, c in CASES], ids=[n for n, *_ in CASES]
)
async def test_forged_cursors_are_bad_user_input(
    gql: Gql, corpus: Corpus, selection: str, cursor: str
) -> None:
    payload = await gql(f"query($c: String) {selection}", {"c": cursor})
    assert set(codes(payload)) == {"BAD_USER_INPUT"}
