"""Request deadlines kept by one timer per event loop, not a timer per request.

A cancel scope with a deadline costs every request a timer armed and disarmed; measured
on the article page that was about a tenth of the request's CPU. Requests here only
enter and leave a dict. Deadlines are all "now + the same budget", so the dict's
insertion order is deadline order: the one timer fires at the oldest entry's deadline,
cancels what has run out and is set again for the next.

Cancellation is level-triggered, as a cancel scope's is: an expired request is cancelled
again every ``RECANCEL_SECONDS`` until it ends, so code that swallows one cancellation
(a shielded cleanup, say) is still stopped at its next await.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from typing import Any

RECANCEL_SECONDS = 0.05


class Watched:
    """One request's deadline, and what the watchdog did to it."""

    __slots__ = ("cancels", "deadline", "expired", "lifted", "task")

    def __init__(self, task: asyncio.Task[Any], deadline: float) -> None:
        self.task = task
        self.deadline = deadline
        self.lifted = False  # its response started: never cut from then on
        self.expired = False
        self.cancels = 0  # cancellations the watchdog requested and nobody took back

    def withdraw(self) -> bool:
        """Take back this deadline's cancellations; True when only they had cancelled
        the task (a cancellation from anywhere else, a shutdown say, must go on)."""
        remaining = self.task.cancelling()
        for _ in range(self.cancels):
            remaining = self.task.uncancel()
        self.cancels = 0
        return remaining == 0


class DeadlineWatch:
    def __init__(self) -> None:
        self._entries: dict[Watched, None] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        # One timer at a time (a handle, not a task: a loop may close with it pending).
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, deadline: float) -> Watched:
        """Cancel the current task at ``deadline`` (``time.monotonic()``) unless it is
        lifted or forgotten first."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # tests run one app on several loops in turn
            self._loop, self._entries, self._timer = loop, {}, None
        task = asyncio.current_task(loop)
        assert task is not None
        entry = Watched(task, deadline)
        self._entries[entry] = None
        if self._timer is None:
            self._arm(loop, deadline - time.monotonic())
        return entry

    def lift(self, entry: Watched) -> None:
        """The response started: it is finished, never cut."""
        entry.lifted = True
        self._entries.pop(entry, None)

    def forget(self, entry: Watched) -> None:
        self._entries.pop(entry, None)

    def _arm(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        # A context of its own: not the request's that happened to arm it.
        self._timer = loop.call_later(
            max(0.0, delay), self._check, loop, context=contextvars.Context()
        )

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:  # a timer left on a loop this watch no longer serves
            return
        self._timer = None
        now = time.monotonic()
        wake = math.inf
        for entry in list(self._entries):
            if entry.deadline > now:
                wake = min(wake, entry.deadline)  # the rest are later: insertion order
                break
            entry.expired = True
            entry.cancels += 1
            entry.task.cancel()
            wake = min(wake, now + RECANCEL_SECONDS)  # again, until it ends
        if self._entries:
            self._arm(loop, wake - now)
