"""Open live streams per client address, per worker: SSE streams and subscriptions alike.

The worker's own cap (``stream_max_connections``) bounds the total; this one keeps a single
client from taking every slot of it.
"""

from __future__ import annotations

from starlette.types import Scope


def client_address(scope: Scope) -> str:
    """The peer's address (a trusted proxy's X-Forwarded-For already applied by uvicorn)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class ClientStreams:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}  # one event loop per worker: no lock needed

    def acquire(self, client: str) -> bool:
        held = self._open.get(client, 0)
        if held >= self.limit:
            return False
        self._open[client] = held + 1
        return True

    def release(self, client: str) -> None:
        held = self._open.get(client, 0) - 1
        if held > 0:
            self._open[client] = held
        else:
            self._open.pop(client, None)
