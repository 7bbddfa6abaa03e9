"""``broadsheet copy``: both directions, everything a client reads answers the same after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.db.database import create_sync_db_engine
from api.models import (
    ApiKey,
    ArticleTombstone,
    Change,
    IdempotentRequest,
    WebhookDelivery,
    WebhookSubscription,
)
from api.settings import Settings
from tests.domain.portability.stores import (
    client_views,
    empty_database,
    other_backend,
    run_cli,
    seed_demo,
    serving,
    write_corpus,
)

pytestmark = pytest.mark.anyio


def _rows(url: str, stmt: Any) -> list[tuple[Any, ...]]:
    engine = create_sync_db_engine(Settings(database_url=url), url=url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(stmt)]
    finally:
        engine.dispose()


async def test_copy_answers_the_same_on_the_other_backend(
    database_url: str, tmp_path: Path
) -> None:
    seed_demo(database_url)
    async with serving(database_url) as client:
        facts = await write_corpus(client, database_url)
        expected = await client_views(client, facts)
    assert expected[f"/v1/articles/{facts['deleted']}"][0] == 410
    with empty_database(other_backend(database_url), tmp_path) as target:
        copied = run_cli(database_url, "copy", "--to", target, "--no-progress")
        assert copied.exit_code == 0, copied.output
        assert "migrated the target" in copied.output
        async with serving(target) as client:
            actual = await client_views(client, facts)
        for read, answer in expected.items():
            assert actual[read] == answer, read
        # What no read shows: key hashes and revocations, pending deliveries, positions.
        for stmt in (
            select(ApiKey.key_id, ApiKey.secret_hash, ApiKey.scope, ApiKey.revoked_at),
            select(WebhookDelivery.id, WebhookDelivery.status, WebhookDelivery.next_attempt_at),
            select(
                WebhookSubscription.id,
                WebhookSubscription.secret,
                WebhookSubscription.owner_key_id,
                WebhookSubscription.version,
            ),
            select(
                IdempotentRequest.principal,
                IdempotentRequest.key,
                IdempotentRequest.request_hash,
                IdempotentRequest.status,
                IdempotentRequest.body,
            ),
            select(ArticleTombstone.public_id, ArticleTombstone.slug, ArticleTombstone.deleted_at),
            select(Change.seq, Change.resource_id, Change.version, Change.at),
        ):
            assert sorted(_rows(target, stmt)) == sorted(_rows(database_url, stmt))
        # A write on the target continues the changes log after the copied positions.
        async with serving(target) as client:
            created = await client.post(
                "/v1/articles",
                json={**_new_article(), "url": "https://news.example/after-copy"},
                headers=facts["admin"],
            )
            assert created.status_code == 201, created.text
            page = (await client.get("/v1/changes", params={"since": facts["since"]})).json()
        seqs = [item["seq"] for item in page["items"]]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert seqs[-1] > max(row[0] for row in _rows(database_url, select(Change.seq)))


def _new_article() -> dict[str, object]:
    from tests.domain.portability.stores import article_body

    return article_body("https://news.example/c", "After the move")


async def test_copy_refuses_a_target_with_data(database_url: str, tmp_path: Path) -> None:
    seed_demo(database_url, articles=5)
    with empty_database(other_backend(database_url), tmp_path) as target:
        assert run_cli(database_url, "copy", "--to", target, "--no-progress").exit_code == 0
        again = run_cli(database_url, "copy", "--to", target, "--no-progress")
    assert again.exit_code != 0
    assert "not empty" in again.output


def test_catch_up_refuses_a_target_without_a_copy(database_url: str, tmp_path: Path) -> None:
    seed_demo(database_url, articles=3)
    with empty_database(other_backend(database_url), tmp_path) as target:
        at_base = run_cli(database_url, "copy", "--to", target, "--catch-up")
        assert at_base.exit_code == 1
        assert "run copy without --catch-up" in at_base.output
        assert run_cli(target, "migrate").exit_code == 0
        empty = run_cli(database_url, "copy", "--to", target, "--catch-up")
        assert empty.exit_code == 1
        assert "holds no copy yet" in empty.output


def test_copy_refuses_the_source_itself(database_url: str) -> None:
    refused = run_cli(database_url, "copy", "--to", database_url)
    assert refused.exit_code == 2
    assert "the target is the source database" in refused.output


async def test_catch_up_copies_what_changed_since_the_copy(
    database_url: str, tmp_path: Path
) -> None:
    seed_demo(database_url, articles=20)
    async with serving(database_url) as client:
        facts = await write_corpus(client, database_url)
    with empty_database(other_backend(database_url), tmp_path) as target:
        assert run_cli(database_url, "copy", "--to", target, "--no-progress").exit_code == 0
        # The source keeps serving: a new article, a change, a delete, a new webhook.
        async with serving(database_url) as client:
            await client.post("/v1/articles", json=_new_article(), headers=facts["admin"])
            path = f"/v1/articles/{facts['article']}"
            etag = (await client.get(path)).headers["etag"]
            changed = await client.patch(
                path,
                json={"title": "Export ban widens again"},
                headers=facts["admin"] | {"If-Match": etag},
            )
            assert changed.status_code == 200, changed.text
            victim = (await client.get("/v1/articles", params={"limit": 3})).json()["items"][-1]
            await client.delete(f"/v1/articles/{victim['id']}", headers=facts["admin"])
            expected = await client_views(client, facts | {"deleted": victim["id"]})
        caught = run_cli(database_url, "copy", "--to", target, "--catch-up")
        assert caught.exit_code == 0, caught.output
        async with serving(target) as client:
            actual = await client_views(client, facts | {"deleted": victim["id"]})
        for read, answer in expected.items():
            assert actual[read] == answer, read
