"""The deadline's watchdog: cancels what runs out, again if swallowed, and nothing else."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from api.edge.deadline import DeadlineMiddleware
from api.settings import Settings

pytestmark = pytest.mark.anyio

SCOPE: Scope = {"type": "http", "method": "GET", "path": "/", "headers": []}


async def _answer(send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _call(app: Any, budget: float) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = DeadlineMiddleware(app, Settings(request_timeout_seconds=budget))
    await middleware(dict(SCOPE), receive, send)
    # Its own cancellations taken back: the task is not left to die at its next await.
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    return sent


def _status(sent: list[Message]) -> int:
    return int(sent[0]["status"])


async def test_work_past_its_deadline_is_cancelled_and_answered_503() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(10)

    sent = await asyncio.wait_for(_call(app, 0.1), 3)
    assert _status(sent) == 503


async def test_a_swallowed_cancellation_is_delivered_again() -> None:
    swallowed = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal swallowed
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            swallowed += 1  # a cleanup that ignores the first cancellation
        await asyncio.sleep(10)

    sent = await asyncio.wait_for(_call(app, 0.1), 3)
    assert swallowed == 1
    assert _status(sent) == 503


async def test_work_that_swallows_it_and_returns_still_gets_an_answer() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return

    sent = await asyncio.wait_for(_call(app, 0.1), 3)
    assert _status(sent) == 503


async def test_a_started_answer_is_never_cut() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.3)  # well past the deadline
        await send({"type": "http.response.body", "body": b"late but whole"})

    sent = await asyncio.wait_for(_call(app, 0.05), 3)
    assert _status(sent) == 200
    assert sent[-1]["body"] == b"late but whole"


async def test_work_within_its_deadline_is_untouched() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.05)
        await _answer(send)

    results = await asyncio.gather(*(_call(app, 5) for _ in range(20)))
    assert all(_status(sent) == 200 for sent in results)


async def test_a_cancellation_from_elsewhere_goes_on() -> None:
    started = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        started.set()
        await asyncio.sleep(10)

    task = asyncio.create_task(_call(app, 0.2))
    await started.wait()
    task.cancel()  # a shutdown, before the deadline
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_shutdown_during_an_expired_request_is_not_swallowed() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            # Cleanup after the deadline's cancellation, during which the server stops.
            asyncio.current_task().cancel()  # type: ignore[union-attr]
            await asyncio.sleep(0)

    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(_call(app, 0.1), 3)
