"""Opaque keyset cursors.

A cursor is the sort key of the last item of a page, tagged with the ordering it belongs
to, base64url-encoded. Clients must treat it as opaque; the server refuses a cursor it
cannot read, one minted for another ordering, or one holding a value no page could have
ended on, always with a 400 naming the parameter.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from api.errors import InvalidInput

MAX_CURSOR_LENGTH = 512
CURSOR_HINT = "malformed or foreign cursor; pass next_cursor back unchanged"
Scalar = int | str
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class IntPart:
    """An integer part of a key, within ``low..high`` (inclusive): its column's range."""

    low: int = INT64_MIN
    high: int = INT64_MAX

    def accepts(self, value: object) -> bool:
        # bool is an int subclass; a cursor never carries one.
        return type(value) is int and self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class TextPart:
    """A text part of a key, at most ``max_length`` characters."""

    max_length: int = MAX_CURSOR_LENGTH

    def accepts(self, value: object) -> bool:
        # PostgreSQL refuses NUL in text: bound as a parameter it would be a driver error.
        return type(value) is str and len(value) <= self.max_length and "\x00" not in value


KeyPart = IntPart | TextPart | type[int] | type[str]
_DEFAULTS: dict[type, IntPart | TextPart] = {int: IntPart(), str: TextPart()}


def encode_cursor(kind: str, key: Sequence[Scalar]) -> str:
    raw = orjson.dumps([kind, *key])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def invalid_cursor(param: str = "cursor") -> InvalidInput:
    # 400: a cursor always arrives as a request parameter, never in a body.
    return InvalidInput.for_param(param, CURSOR_HINT, status=400)


def decode_cursor(
    cursor: str, kind: str, shape: Sequence[KeyPart], *, param: str = "cursor"
) -> list[Scalar]:
    """Return the key inside ``cursor``, checked against the expected kind and parts.

    Every part is range-checked (a bare ``int`` is a 64-bit integer, a bare ``str`` any
    NUL-free text): a value that would overflow a column is refused here, not by the driver.
    """
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid_cursor(param)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, UnicodeEncodeError, orjson.JSONDecodeError, ValueError):
        raise invalid_cursor(param) from None
    if not isinstance(decoded, list) or len(decoded) != len(shape) + 1 or decoded[0] != kind:
        raise invalid_cursor(param)
    key: list[Scalar] = decoded[1:]
    for value, part in zip(key, shape, strict=True):
        rule = _DEFAULTS[part] if isinstance(part, type) else part
        if not rule.accepts(value):
            raise invalid_cursor(param)
    return key
