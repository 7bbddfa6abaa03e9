"""Versioned ETags and If-Match: optimistic concurrency for writes.

An article's ETag is ``"v<version>.<content hash>"``: the hash keeps GET caching exact
(the page embeds other articles' titles), the version is what a write is checked against.
"""

from __future__ import annotations

import re

from starlette.requests import Request

from api.errors import InvalidInput, PreconditionFailed, PreconditionRequired

_VERSIONED = re.compile(r'"v(\d{1,9})\.[0-9a-f]+"')
# The bound openapi.yaml publishes for If-Match: longer is a malformed request (400), not a
# validator that merely fails to match (412).
IF_MATCH_MAX_LENGTH = 200


def version_prefix(version: int) -> str:
    return f"v{version}."


def expected_version(request: Request, *, required: bool) -> int | None:
    """The version named by If-Match; None for ``*`` or (when allowed) no header."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise PreconditionRequired(
                detail="send If-Match with the ETag from your last read of this article"
            )
        return None
    if len(header) > IF_MATCH_MAX_LENGTH:
        raise InvalidInput.for_param(
            "If-Match", f"at most {IF_MATCH_MAX_LENGTH} characters", status=400
        )
    if header.strip() == "*":
        return None
    # Strong comparison (RFC 9110 13.1.1): weak validators never match.
    for candidate in header.split(","):
        match = _VERSIONED.fullmatch(candidate.strip())
        if match is not None:
            return int(match.group(1))
    raise PreconditionFailed(detail="If-Match names no current version of this article")
