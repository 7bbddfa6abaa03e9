"""GraphQL: a subscription is its maker's (other keys find nothing), an admin key's too;
the keyed queries say what they need when called without a key."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from api.db.database import Database
from api.models import KeyScope
from api.models.webhooks import WebhookDelivery
from api.settings import Settings
from tests.fixtures.graphql_writes import ERROR_FIELDS, mutate, post
from tests.fixtures.webhook_receiver import loopback_settings
from tests.fixtures.writes import key_headers, payload

pytestmark = pytest.mark.anyio
CREATE_HOOK = (
    "mutation($input: WebhookInput!) { createWebhook(input: $input) { __typename"
    f" ... on CreateWebhookSuccess {{ webhook {{ id }} }} {ERROR_FIELDS} }} }}"
)
UPDATE_HOOK = (
    "mutation($id: ID!) { updateWebhook(id: $id, input: {active: false}) { __typename"
    f" ... on WebhookMutationSuccess {{ webhook {{ id active }} }} {ERROR_FIELDS} }} }}"
)
REDELIVER = (
    "mutation($id: ID!, $d: ID!) { redeliverWebhook(id: $id, deliveryId: $d) { __typename"
    f" ... on RedeliverWebhookSuccess {{ delivery {{ id }} }} {ERROR_FIELDS} }} }}"
)
DELETE_HOOK = (
    "mutation($id: ID!) { deleteWebhook(id: $id) { __typename"
    f" ... on DeleteSuccess {{ id }} {ERROR_FIELDS} }} }}"
)
ONE = "query($id: ID!) { webhook(id: $id) { id deliveries(first: 5) { items { id } } } }"
QUERY_MESSAGE = "webhook subscriptions need an API key with the write scope"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return loopback_settings(database_url)


async def outcomes(
    client: httpx.AsyncClient, sub: str, delivery: str, headers: dict[str, str]
) -> list[str]:
    """What each way of reaching one subscription answers, the delete last."""
    one = await post(client, ONE, {"id": sub}, headers)
    listed = await post(client, "{ webhooks { id } }", headers=headers)
    answers = [
        "found" if one["data"]["webhook"] else "null",
        "listed" if sub in [h["id"] for h in listed["data"]["webhooks"]] else "unlisted",
    ]
    for query, variables in (
        (UPDATE_HOOK, {"id": sub}),
        (REDELIVER, {"id": sub, "d": delivery}),
        (DELETE_HOOK, {"id": sub}),
    ):
        result = await mutate(client, query, headers, **variables)
        answers.append(result.get("code") or result["__typename"])
    return answers


async def test_another_write_key_finds_nothing_and_an_admin_key_everything(
    client: httpx.AsyncClient, database: Database
) -> None:
    owner, other = await key_headers(database), await key_headers(database)
    admin = await key_headers(database, KeyScope.ADMIN)
    subs = []
    for _ in range(2):
        created = await mutate(client, CREATE_HOOK, owner, input={"url": "http://127.0.0.1:9/h"})
        subs.append(created["webhook"]["id"])
    assert (await client.post("/v1/articles", json=payload(), headers=owner)).status_code == 201
    async with database.session() as session:
        rows = await session.execute(select(WebhookDelivery.subscription_id, WebhookDelivery.id))
        deliveries: dict[str, str] = {sub: delivery for sub, delivery in rows.all()}

    assert await outcomes(client, subs[0], deliveries[subs[0]], other) == [
        "null",
        "unlisted",
        "NOT_FOUND",
        "NOT_FOUND",
        "NOT_FOUND",
    ]
    mine = await post(client, ONE, {"id": subs[0]}, owner)
    assert mine["data"]["webhook"]["deliveries"]["items"] == [{"id": deliveries[subs[0]]}]
    succeeded = ["found", "listed", "WebhookMutationSuccess", "RedeliverWebhookSuccess"]
    assert await outcomes(client, subs[0], deliveries[subs[0]], owner) == [
        *succeeded,
        "DeleteSuccess",
    ]
    assert await outcomes(client, subs[1], deliveries[subs[1]], admin) == [
        *succeeded,
        "DeleteSuccess",
    ]


@pytest.mark.parametrize(
    "query",
    ["{ webhooks { id } }", '{ webhook(id: "0196f0c2-7a3e-7d21-9c4b-2f1e8a6b5c3d") { id } }'],
)
async def test_the_queries_without_a_key_say_what_they_need(
    client: httpx.AsyncClient, query: str
) -> None:
    (error,) = (await post(client, query))["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == QUERY_MESSAGE
