"""Edge fixtures: apps built with small limits and the test-only slow routes mounted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.edge.fault_injection import ENV_FLAG
from api.settings import Settings

EdgeClient = Callable[..., AbstractAsyncContextManager[tuple[Starlette, httpx.AsyncClient]]]


@pytest.fixture
def edge_client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> EdgeClient:
    """``async with edge_client(**settings) as (app, client)``: lifespan running."""
    monkeypatch.setenv(ENV_FLAG, "1")

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
        app = create_app(
            Settings(database_url=overrides.pop("database_url", database_url), **overrides)
        )
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield app, c

    return open_client
