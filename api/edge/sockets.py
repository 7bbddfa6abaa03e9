"""WebSockets: a cap per worker, a time limit without a subscription, streams per client.

The one WebSocket endpoint is ``/graphql`` (graphql-transport-ws). A socket costs a task
and buffers whether or not it carries a subscription, so past ``websocket_max_connections``
a handshake is refused with 503, and a socket with no subscription running for
``websocket_idle_seconds`` (one that never subscribes, or whose subscriptions have all
ended) is closed with 4408. Each subscription also counts against its client address's
streams (``ClientStreams``): one more than the cap is answered with an ``error`` message
for that operation, and the socket stays open.

This reads the protocol's ``subscribe``, ``complete`` and ``error`` messages in passing;
the GraphQL endpoint behind it is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.edge.client_streams import ClientStreams, client_address
from api.http.problems import problem_response
from api.settings import Settings

IDLE_CLOSE_CODE = 4408  # graphql-transport-ws: the client took too long
RETRY_AFTER_SECONDS = 5
log = logging.getLogger("broadsheet.sockets")


def _now() -> float:
    return asyncio.get_running_loop().time()


class SocketLimits:
    def __init__(self, settings: Settings, streams: ClientStreams) -> None:
        self.limit = settings.websocket_max_connections
        self.idle_seconds = settings.websocket_idle_seconds
        self.streams = streams
        self.open = 0  # one event loop per worker: no lock needed

    async def serve(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if self.open >= self.limit:
            await _refuse(scope, send, f"this worker already holds {self.limit} WebSockets")
            return
        self.open += 1
        socket = _Socket(self, scope, send)
        # A plain task, not a task group: the endpoint's own errors must pass unwrapped.
        watcher = asyncio.get_running_loop().create_task(socket.watch())
        try:
            await app(scope, socket.receiving(receive), socket.sending)
        finally:
            watcher.cancel()
            self.open -= 1
            socket.release_all()


class _Socket:
    def __init__(self, limits: SocketLimits, scope: Scope, send: Send) -> None:
        self.limits = limits
        self.client = client_address(scope)
        self.send = send
        self.active: set[str] = set()  # operation ids holding one of the client's streams
        self.idle_since: float | None = _now()
        self.closed = False  # by us: nothing more goes out

    async def watch(self) -> None:
        timeout = self.limits.idle_seconds
        while True:
            now = _now()
            if self.idle_since is not None and now >= self.idle_since + timeout:
                self.closed = True
                reason = f"no subscription for {timeout:g} s"
                close = {"type": "websocket.close", "code": IDLE_CLOSE_CODE, "reason": reason}
                try:
                    await self.send(close)
                except Exception:  # already gone: nothing left to close
                    log.debug("idle WebSocket was gone before its close", exc_info=True)
                return
            due = self.idle_since + timeout if self.idle_since is not None else now + timeout
            await asyncio.sleep(due - now)

    def receiving(self, receive: Receive) -> Receive:
        async def wrapped() -> Message:
            while True:
                message = await receive()
                text = message.get("text") if message["type"] == "websocket.receive" else None
                if text is None or not await self._refused(text):
                    return message

        return wrapped

    async def sending(self, message: Message) -> None:
        if self.closed:
            return
        text = message.get("text") if message["type"] == "websocket.send" else None
        # The endpoint writes plain JSON (no escapes), so a text match finds its messages.
        if text and self.active and ('"complete"' in text or '"error"' in text):
            operation = _operation(text)
            if operation is not None and operation[0] in ("complete", "error"):
                self._ended(operation[1])
        await self.send(message)
        if message["type"] == "websocket.close":
            self.closed = True  # the endpoint's own close: the idle one has nothing to do

    async def _refused(self, text: str) -> bool:
        """Counts a client's ``subscribe``; True if refused (answered here, never passed on).

        Every message is parsed, never matched as text: JSON may spell "subscribe" with
        escapes that the endpoint's parser reads as the word itself.
        """
        operation = _operation(text)
        if operation is None:
            return False
        kind, operation_id = operation
        if kind == "complete":
            self._ended(operation_id)
        # A duplicate id is the endpoint's to refuse (it closes the socket: 4409).
        if kind != "subscribe" or operation_id in self.active:
            return False
        streams = self.limits.streams
        if not streams.acquire(self.client):
            error = {
                "id": operation_id,
                "type": "error",
                "payload": [
                    {
                        "message": f"this client already has {streams.limit} open streams",
                        "extensions": {"code": "SERVICE_UNAVAILABLE"},
                    }
                ],
            }
            await self.sending({"type": "websocket.send", "text": orjson.dumps(error).decode()})
            return True
        self.active.add(operation_id)
        self.idle_since = None
        return False

    def _ended(self, operation_id: str) -> None:
        if operation_id in self.active:
            self.active.discard(operation_id)
            self.limits.streams.release(self.client)
            if not self.active:
                self.idle_since = _now()

    def release_all(self) -> None:
        for _ in self.active:
            self.limits.streams.release(self.client)
        self.active.clear()


def _operation(text: str) -> tuple[str, str] | None:
    """A protocol message's type and operation id, if it has both."""
    try:
        message: Any = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(message, dict):
        return None
    kind, operation_id = message.get("type"), message.get("id")
    if isinstance(kind, str) and isinstance(operation_id, str):
        return kind, operation_id
    return None


async def _refuse(scope: Scope, send: Send, detail: str) -> None:
    """Refuses a handshake with 503 where the server can say so, else with a close (403)."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1013})  # try again later
        return
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    response = problem_response(503, f"{detail}; retry shortly", headers=headers)
    start = {"status": 503, "headers": response.raw_headers}
    await send({"type": "websocket.http.response.start", **start})
    await send({"type": "websocket.http.response.body", "body": response.body})
