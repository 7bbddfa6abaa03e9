"""Memory settings: the malloc arena cap (glibc) and the startup freeze of the collector."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import sys

import pytest

from api.app import create_app
from api.edge import memory
from api.settings import Settings


def test_zero_leaves_glibc_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("mallopt called although the cap is off")

    monkeypatch.setattr(ctypes, "CDLL", refuse)
    assert memory.cap_malloc_arenas(0) is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_glibc_takes_the_cap() -> None:
    if getattr(ctypes.CDLL(None), "mallopt", None) is None:
        pytest.skip("this C library has no mallopt")
    assert memory.cap_malloc_arenas(2) is True


def test_the_app_applies_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr("api.app.cap_malloc_arenas", seen.append)
    app = create_app(Settings(database_url="sqlite:///:memory:", malloc_arena_max=3))

    async def start_and_stop() -> None:
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(start_and_stop())
    assert seen == [3]


@pytest.mark.parametrize("enabled", [True, False])
def test_startup_objects_are_frozen_while_serving(enabled: bool) -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:", gc_freeze=enabled))
    seen: list[int] = []

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            seen.append(gc.get_freeze_count())

    asyncio.run(serve())
    assert (seen[0] > 0) is enabled
    assert gc.get_freeze_count() == 0  # handed back when the app stopped
