"""A per-test watchdog: a hung test ends the run at once, with every stack printed.

Without it a hang stalls CI until the job's own timeout and shows nothing but the last
dot. A test (setup, call and teardown together) may run ``BROADSHEET_TEST_HANG_SECONDS``
(300 s by default; the slowest test takes about 30 s); past that the watchdog prints the
stack of every asyncio task and thread and exits with status 3. Exiting is deliberate: a
loop that cannot cancel its tasks would hang again in the next test's teardown.
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
import threading
from collections.abc import Generator

import pytest

HANG_SECONDS = float(os.environ.get("BROADSHEET_TEST_HANG_SECONDS", "300"))
EXIT_STATUS = 3


def _report(nodeid: str, config: pytest.Config) -> None:
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=False)
    out = sys.stderr
    out.write(f"\n\nwatchdog: {nodeid} still running after {HANG_SECONDS:g} s\n")
    tasks = []
    for _ in range(3):  # the set may change under us: it belongs to the loop's thread
        try:
            tasks = list(asyncio.tasks._all_tasks)  # type: ignore[attr-defined]
            break
        except RuntimeError:
            continue
    for task in tasks:
        if not task.done():
            out.write(f"\n--- {task!r}\n")
            task.print_stack(file=out)
    out.write("\n--- threads\n")
    out.flush()
    faulthandler.dump_traceback(file=out, all_threads=True)
    out.flush()
    os._exit(EXIT_STATUS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    timer = threading.Timer(HANG_SECONDS, _report, args=(item.nodeid, item.config))
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()
