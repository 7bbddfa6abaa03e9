"""The malloc arena cap: applied on glibc, skipped when turned off."""

from __future__ import annotations

import asyncio
import ctypes
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
