"""What a request presents: at most one credential, in a header, and no key in its URL.

Keys in URLs end up in access logs, browser history and Referer headers, so a query that
carries one is refused whatever the parameter is called. Two credentials at once are
refused too: no server can tell which one the client meant, and "the first wins" lets a
revoked key ride along beside a valid one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl

from api.errors import BroadsheetError, InvalidInput, Unauthenticated

# Refused by name whatever their value: the names clients use for keys.
URL_CREDENTIAL_PARAMS = frozenset({"api_key", "apikey", "api-key", "access_token", "token"})
# A key's prefix and id (``bsk_`` + 12 characters): enough to be a key or most of one.
KEY_SHAPE = re.compile(r"bsk_[A-Za-z0-9]{12}", re.IGNORECASE)
CREDENTIAL_HEADERS = (b"authorization", b"x-api-key")


def two_credentials() -> BroadsheetError:
    return BroadsheetError(
        detail="send one credential: 'Authorization: Bearer <key>' or 'X-API-Key: <key>', once",
        status=400,
        code="BAD_REQUEST",
        title="Bad request",
    )


def refuse_keys_in_url(query_string: bytes) -> None:
    """Raise 400 if any query parameter's name or value is, or holds, an API key."""
    if not query_string:
        return
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        named = name.lower() in URL_CREDENTIAL_PARAMS
        if named or KEY_SHAPE.search(name) or KEY_SHAPE.search(value):
            raise InvalidInput.for_param(
                name, "never put API keys in URLs; send 'Authorization: Bearer <key>'", status=400
            )


def presented_token(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The one key a request presents in its headers (None: anonymous)."""
    found = [(name, value) for name, value in headers if name in CREDENTIAL_HEADERS]
    if not found:
        return None
    if len(found) > 1:
        raise two_credentials()
    name, raw = found[0]
    value = raw.decode("latin-1")
    if name == b"x-api-key":
        return value.strip()
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(detail="use 'Authorization: Bearer <key>'")
    return token.strip()
