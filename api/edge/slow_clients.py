"""Slow or oversized request heads: 408 past ``header_timeout_seconds``, 431 past the size cap.

uvicorn has no timer while a request's head arrives (its keep-alive timer runs only between
requests, and not before the first one), so a client trickling header bytes holds a
connection for ever; and only its h11 parser takes a size cap for the head. These protocol
subclasses add both. The timer runs from the connection's start (first request) or the
request's first byte (later ones) until its headers are complete. The size costs a length
add per chunk while a head arrives; it is measured exactly only when that bound passes the cap.
A connection closed while its request's body still arrives lingers (``api.edge.lingering``).
"""

from __future__ import annotations

import asyncio
import copyreg
import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, Literal, NamedTuple, cast

import h11
import httptools
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from api.edge.lingering import LingeringTransport
from api.settings import Settings

Parser = Literal["httptools", "h11"]
log = logging.getLogger("broadsheet.slow_clients")


class _Answer(NamedTuple):
    status: int
    reason: str  # for the log line
    head: bytes  # status line and headers, less the date uvicorn adds
    body: bytes  # the blank line, then the problem document


def _answer(status: int, title: str, detail: str, reason: str) -> _Answer:
    problem = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body = json.dumps(problem, separators=(",", ":"))
    head = (
        f"HTTP/1.1 {status} {title}\r\ncontent-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n"
    )
    return _Answer(status, reason, head.encode("ascii"), ("\r\n" + body).encode("ascii"))


TIMEOUT = _answer(
    408, "Request Timeout", "The request's headers did not arrive in time.", "too slow"
)
TOO_LARGE = _answer(
    431,
    "Request Header Fields Too Large",
    "The request line and headers exceed the limit.",
    "too large",
)


class _Refused(Exception):
    """Raised in a parser callback after answering: stops the parser mid-chunk."""


class _HeadGuard(asyncio.Protocol):
    """What both parsers share; ``protocol_for`` binds the limits."""

    parser_name: ClassVar[Parser]
    header_timeout: ClassVar[float] = 10.0
    max_header_bytes: ClassVar[int] = 16 * 1024

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    flow: FlowControl
    server_state: ServerState
    client: tuple[str, int] | None
    _head_timer: asyncio.TimerHandle | None = None
    _linger: LingeringTransport
    # Bytes received for the head in progress; -1 while none is (body, response, idle).
    _head_bytes = -1

    # Both uvicorn protocols keep the request in progress here (None between requests).
    cycle: Any

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # Closed mid-body (an early answer), the connection lingers instead: api.edge.lingering.
        self._linger = LingeringTransport(transport, self.loop, self._body_unread)
        super().connection_made(cast(asyncio.Transport, self._linger))
        self._head_bytes = 0
        self._start_head_timer()  # uvicorn times nothing before the first request

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _body_unread(self) -> bool:
        raise NotImplementedError

    def _responding(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _start_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused or self._responding():
            # We are not reading (a pipelined request waits its turn): not the client's delay.
            self._start_head_timer()
        elif self._head_bytes <= 0:
            # Connected and sent nothing: close quietly, as uvicorn's keep-alive timer does
            # (browsers open spare connections ahead of need; a 408 there shows as an error).
            self.transport.close()
        else:
            self._refuse(TIMEOUT)

    def _refuse(self, answer: _Answer) -> None:
        self._stop_head_timer()
        if self.transport.is_closing():
            return
        if not self._responding():  # never into the middle of an earlier response
            extra = b"".join(b"%s: %s\r\n" % pair for pair in self.server_state.default_headers)
            self.transport.write(answer.head + extra + answer.body)
        self.transport.close()
        log.warning("%d: request head %s from %s", answer.status, answer.reason, self.client)


class HttpToolsHeadGuard(_HeadGuard, HttpToolsProtocol):
    parser_name = "httptools"
    _chunk_bytes = 0
    # A head's first chunk may hold an earlier request's tail: left out of the running
    # check (so the parser buffers at most the cap plus one read), never out of the final one.
    _head_slack = 0

    def data_received(self, data: bytes) -> None:
        # uvicorn's own, plus the count; and our _Refused (httptools wraps what a callback
        # raises in HttpParserCallbackError) is not an invalid request.
        if self._linger.lingering:
            return  # the rest of a body nobody reads
        self._unset_keepalive_if_required()
        self._chunk_bytes = len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if not isinstance(exc.__context__, _Refused):
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._head_bytes >= 0:
            self._head_bytes += len(data)
            if self._head_bytes - self._head_slack > self.max_header_bytes:
                self._refuse(TOO_LARGE)

    def _body_unread(self) -> bool:
        return self.cycle is not None and bool(self.cycle.more_body)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._head_slack = self._chunk_bytes
        if self._head_timer is None:
            self._start_head_timer()

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        # Earlier chunks plus this one bound the head's size from above.
        bound = self._head_bytes + self._chunk_bytes
        if bound > self.max_header_bytes and self._head_size() > self.max_header_bytes:
            self._refuse(TOO_LARGE)
            raise _Refused
        self._head_bytes = -1
        super().on_headers_complete()

    def _head_size(self) -> int:
        # As sent in the usual form: "METHOD url HTTP/1.1\r\n", "name: value\r\n"..., "\r\n".
        size = len(self.parser.get_method()) + len(self.url) + 14
        for name, value in self.headers:
            size += len(name) + len(value) + 4
        return size


class H11HeadGuard(_HeadGuard, H11Protocol):
    """h11 caps the head itself (``h11_max_incomplete_event_size``, set to the same limit),
    only while it is incomplete; here its refusal becomes a 431 and the head is timed."""

    parser_name = "h11"

    def _body_unread(self) -> bool:
        return self.conn.their_state is h11.SEND_BODY

    def data_received(self, data: bytes) -> None:
        if self._linger.lingering:
            return  # the rest of a body nobody reads
        if self.conn.their_state is h11.IDLE:  # no request open: these bytes start or extend one
            self._head_bytes = max(self._head_bytes, 0) + len(data)
            if self._head_timer is None:
                self._start_head_timer()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._stop_head_timer()
            self._head_bytes = -1

    def send_400_response(self, msg: str) -> None:
        if self.conn.their_state is h11.ERROR and (
            len(self.conn.trailing_data[0]) > self.max_header_bytes
        ):
            self._refuse(TOO_LARGE)
        else:
            super().send_400_response(msg)


class _Bound(type):
    """Metaclass of the classes ``protocol_for`` builds: they pickle as a call to it, so the
    processes uvicorn spawns (``--workers``, ``--reload``) rebuild them with the same limits."""


@cache
def _bind(parser: Parser, header_timeout: float, max_header_bytes: int) -> _Bound:
    base = HttpToolsHeadGuard if parser == "httptools" else H11HeadGuard
    limits = {"header_timeout": header_timeout, "max_header_bytes": max_header_bytes}
    return _Bound(base.__name__, (base,), limits)


def _pickle_bound(cls: _Bound) -> tuple[Callable[..., _Bound], tuple[object, ...]]:
    guard = cast(type[_HeadGuard], cls)
    return _bind, (guard.parser_name, guard.header_timeout, guard.max_header_bytes)


copyreg.pickle(_Bound, _pickle_bound)


def protocol_for(settings: Settings, parser: Parser = "httptools") -> type[asyncio.Protocol]:
    """uvicorn's ``http`` protocol class with the settings' head limits bound."""
    bound = _bind(parser, settings.header_timeout_seconds, settings.max_header_bytes)
    return cast(type[asyncio.Protocol], bound)
