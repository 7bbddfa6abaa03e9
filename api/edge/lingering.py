"""Ending a connection whose client is still sending its body: a lingering close.

An answer given before the request's body was read ends its connection
(``api.edge.early_answers``). Closing a socket that holds unread data makes the kernel
send a reset, and a reset can destroy the answer before the client has read it: the
client sees "connection reset" instead of its 401 or 503 (RFC 9112 9.6). So such a close
sends the answer and a FIN, reads and drops whatever the client still sends for at most
``LINGER_SECONDS``, and only then closes: long enough for the answer to be read, too short
for a trickling client to hold the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

LINGER_SECONDS = 2.0


class LingeringTransport:
    """The connection's transport as uvicorn sees it; ``close`` lingers while
    ``body_unread()`` says the request's body is still arriving."""

    def __init__(
        self,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
        body_unread: Callable[[], bool],
    ) -> None:
        self._transport = transport
        self._loop = loop
        self._body_unread = body_unread
        self.lingering = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        # Closing as far as uvicorn knows: no keep-alive timer, no next request.
        return self.lingering or self._transport.is_closing()

    def close(self) -> None:
        if self.lingering:
            return  # the timer closes it
        transport = self._transport
        if transport.is_closing() or not self._body_unread() or not transport.can_write_eof():
            transport.close()
            return
        self.lingering = True
        transport.write_eof()  # after the answer still buffered
        transport.resume_reading()  # drain, even if flow control had paused reading
        self._loop.call_later(LINGER_SECONDS, transport.close)
