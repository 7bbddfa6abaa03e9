"""decode_cursor: every part of a key is range-checked, and every refusal is the same 400."""

from __future__ import annotations

from typing import Any

import pytest

from api.domain.shared.cursors import IntPart, KeyPart, TextPart, decode_cursor, encode_cursor
from api.errors import InvalidInput
from tests.fixtures.cursors import forge


@pytest.mark.parametrize(
    ("key", "shape"),
    [
        ([2**63], [int]),  # past BIGINT: a driver overflow
        ([-(2**63) - 1], [int]),
        ([11], [IntPart(1, 10)]),
        ([0], [IntPart(1, 10)]),
        ([True], [IntPart(0, 1)]),
        ([1.0], [int]),
        (["a\x00"], [str]),  # PostgreSQL refuses NUL in text
        (["a\x00"], [TextPart(10)]),
        (["abc"], [TextPart(2)]),
        ([1], [str]),
    ],
)
def test_out_of_range_parts_are_a_400_naming_the_parameter(
    key: list[Any], shape: list[KeyPart]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(forge("kind", *key), "kind", shape, param="after")
    assert refused.value.status == 400
    assert [p.name for p in refused.value.invalid_params] == ["after"]


def test_parts_within_range_decode() -> None:
    shape: list[KeyPart] = [IntPart(1, 10), int, TextPart(5), str]
    cursor = encode_cursor("kind", [10, -(2**63), "ab\u200bc", "x" * 200])
    assert decode_cursor(cursor, "kind", shape) == [10, -(2**63), "ab\u200bc", "x" * 200]
