"""page_cursor writes, for a feed page's integer keys, exactly what encode_cursor writes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.domain.feed.query import page_cursor
from api.domain.shared.cursors import encode_cursor
from api.domain.shared.filters import ArticleOrder

MICROS = st.integers(-62_135_510_400_000_000, 253_402_128_000_000_000)
KEYS = st.integers(1, 2**31 - 1)


@given(moment=MICROS, pk=KEYS, importance=st.integers(1, 10))
def test_page_cursor_is_encode_cursor(moment: int, pk: int, importance: int) -> None:
    assert page_cursor(ArticleOrder.NEWEST, (moment, pk)) == encode_cursor("newest", [moment, pk])
    key = (importance, moment, pk)
    assert page_cursor(ArticleOrder.IMPORTANCE, key) == encode_cursor("importance", list(key))
