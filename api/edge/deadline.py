"""The per-request time budget: no request hangs past ``request_timeout_seconds``.

A pure ASGI middleware. The application runs inside a cancel scope with the deadline; if
the deadline passes before the response has started, the work is cancelled (its session
rolls back) and the client gets 503 problem+json with Retry-After. Once a response has
started it is never cut: the deadline is lifted so the body can finish.
"""

from __future__ import annotations

import math

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.statement_budget import request_deadline
from api.errors import ServiceUnavailable
from api.http.problems import problem_response
from api.settings import Settings


class DeadlineMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.timeout = settings.request_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        budget = anyio.CancelScope(deadline=anyio.current_time() + self.timeout)
        # The same instant for SQLite statements (asyncio's clock is time.monotonic).
        token = request_deadline.set(budget.deadline)

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                budget.deadline = math.inf  # a started response is finished, not cut
            await send(message)

        try:
            with budget:
                await self.app(scope, receive, sending)
        finally:
            request_deadline.reset(token)
        if budget.cancelled_caught and not started:
            late = ServiceUnavailable(
                detail=f"the request did not finish within its {self.timeout:g} s budget; "
                "retry shortly"
            )
            headers = {"Retry-After": str(late.retry_after)}
            await problem_response(late.status, late.detail, title=late.title, headers=headers)(
                scope, receive, send
            )
