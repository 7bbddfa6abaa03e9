"""Opaque keyset cursors.

A cursor is the sort key of the last item of a page, tagged with the ordering it belongs
to, base64url-encoded. Clients must treat it as opaque; the server refuses a cursor it
cannot read or one minted for another ordering, with an error naming the parameter.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import orjson

from api.errors import InvalidInput

MAX_CURSOR_LENGTH = 512
CURSOR_HINT = "malformed or foreign cursor; pass next_cursor back unchanged"
Scalar = int | str


def encode_cursor(kind: str, key: Sequence[Scalar]) -> str:
    raw = orjson.dumps([kind, *key])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(
    cursor: str, kind: str, shape: Sequence[type[int] | type[str]], *, param: str = "cursor"
) -> list[Scalar]:
    """Return the key inside ``cursor``, checked against the expected kind and types."""
    # 400: a cursor always arrives as a request parameter, never in a body.
    invalid = InvalidInput.for_param(param, CURSOR_HINT, status=400)
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, UnicodeEncodeError, orjson.JSONDecodeError, ValueError):
        raise invalid from None
    if not isinstance(decoded, list) or len(decoded) != len(shape) + 1 or decoded[0] != kind:
        raise invalid
    key = decoded[1:]
    for value, expected in zip(key, shape, strict=True):
        # bool is an int subclass; a cursor never carries one.
        if type(value) is not expected:
            raise invalid
    return key
