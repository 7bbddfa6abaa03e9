"""Limits on long-lived connections: SSE streams per client, WebSockets per worker.

A pure ASGI layer ahead of the access gate, so a refused socket costs no key lookup. A
``GET /v1/stream`` beyond the client's share of streams is refused with 503 and
Retry-After before it starts; WebSockets are handed to ``SocketLimits``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.edge.admission import STREAM_PATHS
from api.edge.client_streams import ClientStreams, client_address
from api.edge.sockets import RETRY_AFTER_SECONDS, SocketLimits
from api.http.problems import problem_response
from api.settings import Settings


class StreamLimitsMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.streams = ClientStreams(settings.stream_max_per_client)
        self.sockets = SocketLimits(settings, self.streams)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.sockets.serve(self.app, scope, receive, send)
            return
        # HEAD opens no stream.
        if scope["type"] != "http" or scope["path"] not in STREAM_PATHS or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        client = client_address(scope)
        if not self.streams.acquire(client):
            detail = (
                f"this client already has {self.streams.limit} open streams; "
                "close one or retry shortly"
            )
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            await problem_response(503, detail, headers=headers)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.streams.release(client)
