"""Memory settings of a serving process: glibc's malloc arenas, and the garbage collector.

The collector's full (oldest-generation) passes walk every tracked object, and most of
them are the process's own: modules, the GraphQL schema, SQLAlchemy's metadata and
compiled statements. Frozen once the app has started, those are left out of every pass:
those pauses were the latency tail under ranking load (docs/performance.md has the figures).

glibc gives threads their own arenas (up to eight per core) and returns little of them to
the system. Reads that leave the event loop run on aiosqlite's threads, up to one per
pooled connection, so under ranking load (search, related, trending) a SQLite worker's
resident memory grew with its threads; two arenas keep it lower at the same throughput.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def cap_malloc_arenas(limit: int) -> bool:
    """Ask glibc for at most ``limit`` arenas; False where that cannot apply (0 = leave
    the default, not Linux, or a libc without mallopt, such as musl)."""
    if limit <= 0 or not sys.platform.startswith("linux"):
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, limit))


@contextmanager
def startup_frozen(*, enabled: bool) -> Iterator[None]:
    """While serving, what exists at startup sits outside the collector's passes; on the
    way out it is handed back, so an app that stops (tests start many) leaks nothing."""
    if not enabled:
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
