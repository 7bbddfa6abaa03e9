"""Tampered cursors through GraphQL: BAD_USER_INPUT naming ``after``, never an internal error.

The domain range-checks every decoded cursor, so GraphQL answers as REST does (a 400
there), on both databases.
"""

from __future__ import annotations

import pytest

from tests.fixtures.cursors import forge
from tests.fixtures.graphql_errors import Gql, codes

MOMENT = 1_792_723_850_000_000
CASES = [
    ("articles(orderBy: IMPORTANCE, after: $after)", forge("importance", 2**63, MOMENT, 1903)),
    ("articles(orderBy: IMPORTANCE, after: $after)", forge("importance", 2**40, MOMENT, 1903)),
    ("articles(after: $after)", forge("newest", -1, -1)),
    ("articles(after: $after)", forge("newest", MOMENT, 2**31)),
    ('search(query: "chip", after: $after)', forge("search", 0, 0, 0, "1.0", 2**31)),
    ("entities(after: $after)", forge("entities", "a\x00", "b")),
]


@pytest.mark.parametrize(("field", "cursor"), CASES)
async def test_a_tampered_cursor_is_bad_user_input(gql: Gql, field: str, cursor: str) -> None:
    query = f"query($after: String) {{ {field} {{ edges {{ cursor }} }} }}"
    payload = await gql(query, {"after": cursor})
    assert codes(payload) == ["BAD_USER_INPUT"], payload
    assert "after" in payload["errors"][0]["message"]
