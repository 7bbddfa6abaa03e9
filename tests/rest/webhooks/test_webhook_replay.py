"""An idempotent retry of a webhook's creation replays the answer without the secret."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from api.db.database import Database
from api.domain.webhooks.subscriptions import REPLAY_NOTE
from api.settings import Settings
from tests.fixtures.webhook_receiver import loopback_settings
from tests.fixtures.writes import key_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(database_url: str) -> Settings:
    return loopback_settings(database_url)


async def stored_rows(database: Database) -> list[str]:
    """Every idempotency row, every column, as text: what a database reader would see."""
    async with database.session() as session:
        rows = (await session.execute(text("SELECT * FROM idempotent_requests"))).all()
    return [" ".join(repr(bytes(v) if isinstance(v, memoryview) else v) for v in r) for r in rows]


async def test_the_secret_is_not_kept_for_the_replay(
    client: httpx.AsyncClient, database: Database
) -> None:
    headers = await key_headers(database) | {"Idempotency-Key": "create-hook-1"}
    body = {"url": "http://127.0.0.1:9/hook", "category": "ai"}
    first = await client.post("/v1/webhooks", json=body, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    assert "secret_note" not in first.json()

    (row,) = await stored_rows(database)
    assert secret not in row
    assert secret.removeprefix("whsec_") not in row

    again = await client.post("/v1/webhooks", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    replayed = again.json()
    assert replayed["secret"] is None
    assert replayed["secret_note"] == REPLAY_NOTE
    assert {k: v for k, v in replayed.items() if not k.startswith("secret")} == {
        k: v for k, v in first.json().items() if k != "secret"
    }
    assert secret not in again.text
    listed = await client.get("/v1/webhooks", headers=headers)
    assert len(listed.json()["items"]) == 1  # the retry wrote nothing
