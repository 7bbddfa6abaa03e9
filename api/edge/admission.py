"""Admission: at most ``max_concurrent_requests`` requests in progress per worker.

One more is refused at once with 503 problem+json and Retry-After, before it touches the
database: a short, clear answer beats a queue that times out. Probes are always admitted
so an orchestrator can still see a busy worker is alive.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access.middleware import PROBE_PATHS
from api.errors import ServiceUnavailable
from api.http.problems import problem_response
from api.settings import Settings

# Long-lived streams have their own per-worker cap (stream_max_connections): counted here
# too, a hundred idle listeners would lock every other request out.
STREAM_PATHS = frozenset({"/v1/stream"})


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_concurrent_requests
        self.in_flight = 0  # one event loop per worker: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in PROBE_PATHS or path in STREAM_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            busy = ServiceUnavailable(
                detail=f"this worker is at its limit of {self.limit} concurrent requests; "
                "retry shortly"
            )
            headers = {"Retry-After": str(busy.retry_after)}
            await problem_response(busy.status, busy.detail, title=busy.title, headers=headers)(
                scope, receive, send
            )
            return
        self.in_flight += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.in_flight -= 1

        async def sending(message: Message) -> None:
            await send(message)
            # Done for the client once its last byte is out; counting the cleanup after
            # it (session close, log line) refused a keep-alive client's very next
            # request (the soak saw keep-alive clients refused under the limit).
            if message["type"] == "http.response.body" and not message.get("more_body"):
                release()

        try:
            await self.app(scope, receive, sending)
        finally:
            release()
