"""GraphQL webhooks: keyed queries, the create/update/delete/redeliver mutations, delivery."""

from __future__ import annotations

import httpx
import pytest

from api.db.database import Database
from api.domain.webhooks.worker import WebhookWorker
from api.models import KeyScope
from api.settings import Settings
from tests.fixtures.graphql_writes import CREATE, ERROR_FIELDS, mutate, post, to_input
from tests.fixtures.webhook_receiver import loopback_settings, receiver, verify
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio
HOOK = "id url eventTypes category sentiment importanceMin active version"
CREATE_HOOK = (
    "mutation($input: WebhookInput!) { createWebhook(input: $input) { __typename"
    f" ... on CreateWebhookSuccess {{ secret webhook {{ {HOOK} }} }} {ERROR_FIELDS} }} }}"
)
UPDATE_HOOK = (
    "mutation($id: ID!, $v: Int, $input: WebhookUpdateInput!) {"
    " updateWebhook(id: $id, expectedVersion: $v, input: $input) { __typename"
    f" ... on WebhookMutationSuccess {{ webhook {{ {HOOK} }} }} {ERROR_FIELDS} }} }}"
)
DELETE_HOOK = (
    "mutation($id: ID!) { deleteWebhook(id: $id) { __typename"
    f" ... on DeleteSuccess {{ id }} {ERROR_FIELDS} }} }}"
)
REDELIVER = (
    "mutation($id: ID!, $d: ID!) { redeliverWebhook(id: $id, deliveryId: $d) { __typename"
    f" ... on RedeliverWebhookSuccess {{ delivery {{ id status attempts }} }} {ERROR_FIELDS} }} }}"
)
LIST = f"{{ webhooks {{ {HOOK} deliveries(first: 10) {{ items {{ id eventType status attempts"
LIST += " lastStatusCode lastError payload } nextCursor } } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return loopback_settings(database_url)


@pytest.fixture
async def writer(database: Database) -> dict[str, str]:
    return await key_headers(database)


async def test_webhooks_through_graphql(
    client: httpx.AsyncClient, database: Database, settings: Settings, writer: dict[str, str]
) -> None:
    with receiver(fail_first=1) as hook:
        created = await mutate(
            client,
            CREATE_HOOK,
            writer,
            input={"url": hook.url, "eventTypes": ["ARTICLE_CREATED"], "sentiment": "BULLISH"},
        )
        assert created["__typename"] == "CreateWebhookSuccess", created
        secret = created["secret"]
        sub = created["webhook"]
        assert sub["eventTypes"] == ["ARTICLE_CREATED"]
        for n, mood in enumerate(["bullish", "bearish"]):
            body = payload(url=f"https://news.example/{n}", sentiment=mood)
            article = await mutate(client, CREATE, writer, input=to_input(body))
            assert article["__typename"] == "ArticleMutationSuccess", article
        worker = WebhookWorker(database, settings)
        try:
            assert await worker.run_once() == 1  # only the bullish story matches; it fails
            listed = await post(client, LIST, headers=writer)
            (row,) = listed["data"]["webhooks"]
            assert "secret" not in row
            (delivery,) = row["deliveries"]["items"]
            assert (delivery["status"], delivery["attempts"]) == ("PENDING", 1)
            assert delivery["lastStatusCode"] == 500
            redone = await mutate(client, REDELIVER, writer, id=sub["id"], d=delivery["id"])
            assert redone["delivery"]["status"] == "PENDING"
            assert await worker.run_once() == 1
        finally:
            await worker.aclose()
    (got,) = hook.accepted()
    assert verify(secret, got.headers, got.body)
    assert got.event["data"]["sentiment"] == "bullish"

    changed = await mutate(
        client, UPDATE_HOOK, writer, id=sub["id"], v=1, input={"active": False, "sentiment": None}
    )
    assert changed["webhook"]["active"] is False
    assert changed["webhook"]["sentiment"] is None
    stale = await mutate(client, UPDATE_HOOK, writer, id=sub["id"], v=1, input={"active": True})
    assert stale["code"] == "PRECONDITION_FAILED"
    deleted = await mutate(client, DELETE_HOOK, writer, id=sub["id"])
    assert deleted == {"__typename": "DeleteSuccess", "id": sub["id"]}
    one = await post(
        client, "query($id: ID!) { webhook(id: $id) { id } }", {"id": sub["id"]}, writer
    )
    assert one["data"]["webhook"] is None


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/", "http://169.254.169.254/", "http://[::1]/", "file:///etc/passwd"]
)
async def test_refused_targets_are_bad_user_input(
    client: httpx.AsyncClient, writer: dict[str, str], url: str
) -> None:
    refused = await mutate(client, CREATE_HOOK, writer, input={"url": url})
    assert refused["__typename"] == "MutationError"
    assert refused["code"] == "BAD_USER_INPUT"
    assert refused["field"] == "input.url"
    assert (await post(client, LIST, headers=writer))["data"]["webhooks"] == []


async def test_the_queries_need_a_write_key(client: httpx.AsyncClient, database: Database) -> None:
    anonymous = await post(client, "{ webhooks { id } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    reader = await key_headers(database, KeyScope.READ)
    refused = await post(client, "{ webhooks { id } }", headers=reader)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
