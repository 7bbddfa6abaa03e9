"""An answer sent before the request's body has been read ends the connection.

A 401, 413, 429 or 503 may go out while the client is still sending its body. uvicorn
then keeps the connection and reads the rest of that body to find the next request, and
every byte that arrives restarts its keep-alive timer: a client trickling a body holds the
connection for ever. ``Connection: close`` on such an answer tells the client, and uvicorn,
to end it once the answer is out.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLOSE = (b"connection", b"close")


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


class EarlyAnswerMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        body_read = False

        async def receiving() -> Message:
            nonlocal body_read
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_read = True
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and not body_read:
                kept = [h for h in message.get("headers", []) if h[0].lower() != CLOSE[0]]
                message = {**message, "headers": [*kept, CLOSE]}
            await send(message)

        await self.app(scope, receiving, sending)
