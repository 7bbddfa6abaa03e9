"""The per-request time budget: no request hangs past ``request_timeout_seconds``.

A pure ASGI middleware. If the deadline passes before the response has started, the work
is cancelled (its session rolls back) and the client gets 503 problem+json with
Retry-After. Once a response has started it is never cut: the deadline is lifted so the
body can finish. ``deadline_watch`` keeps the deadlines.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.statement_budget import request_deadline
from api.edge.deadline_watch import DeadlineWatch
from api.errors import ServiceUnavailable
from api.http.problems import problem_response
from api.settings import Settings


class DeadlineMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.timeout = settings.request_timeout_seconds
        self.watch = DeadlineWatch()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.timeout
        # The same instant for SQLite statements (they compare with time.monotonic()).
        token = request_deadline.set(deadline)
        watched = self.watch.watch(deadline)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and not watched.lifted:
                self.watch.lift(watched)  # a started response is finished, not cut
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except asyncio.CancelledError:
            if not watched.expired or not watched.withdraw():
                raise
        finally:
            self.watch.forget(watched)
            request_deadline.reset(token)
        if watched.cancels and not watched.withdraw():
            # Cancelled from elsewhere too (a shutdown) while it swallowed ours: go on
            # being cancelled at the next await.
            raise asyncio.CancelledError
        if watched.expired and not watched.lifted:
            late = ServiceUnavailable(
                detail=f"the request did not finish within its {self.timeout:g} s budget; "
                "retry shortly"
            )
            headers = {"Retry-After": str(late.retry_after)}
            await problem_response(late.status, late.detail, title=late.title, headers=headers)(
                scope, receive, send
            )
