"""Caps glibc's malloc arenas for the serving process.

glibc gives threads their own arenas (up to eight per core) and returns little of them to
the system. Reads that leave the event loop run on aiosqlite's threads, up to one per
pooled connection, so under ranking load (search, related, trending) a SQLite worker's
resident memory grew with its threads: measured on 100k articles, peak RSS 177-189 MB
with the default arenas and 162-175 MB with two, same throughput.
"""

from __future__ import annotations

import ctypes
import sys

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
