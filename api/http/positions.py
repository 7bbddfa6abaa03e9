"""The changes-log position on write answers: a header always, a cookie with replicas.

A client sends the header's value back (``Broadsheet-Position``) to have its reads see its
writes; a browser gets the same from the cookie without doing anything (api.db.replicas).
"""

from __future__ import annotations

import math

from api.db.replicas import POSITION_COOKIE, POSITION_HEADER, Replicas


def position_headers(position: int | None, replicas: Replicas | None) -> dict[str, str]:
    """The headers a write answer carries for ``position`` (none when it logged nothing)."""
    if position is None:
        return {}
    headers = {POSITION_HEADER: str(position)}
    if replicas is not None:
        # A replica lagging longer than the limit is skipped: once that long has passed
        # (and a check noticed), any replica still in use has applied this write.
        seconds = math.ceil(replicas.max_lag + replicas.check_seconds) + 1
        headers["Set-Cookie"] = (
            f"{POSITION_COOKIE}={position}; Max-Age={seconds}; Path=/; SameSite=Lax; HttpOnly"
        )
    return headers
