"""``articleChanged(collapse: STORY)``: only articles standing for their story arrive, each
with its story."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from api.db.database import Database
from tests.domain.stories.corpus import item
from tests.fixtures.writes import key_headers
from tests.graphql.sync.test_gql_subscriptions import Socket

pytestmark = pytest.mark.anyio
COLLAPSED = """
subscription($since: String) {
  articleChanged(since: $since, collapse: STORY) {
    kind articleId article { story { size storyId } }
  }
}
"""


async def test_a_collapsed_subscription_skips_the_stories_other_articles(
    app: Starlette, client: httpx.AsyncClient, database: Database
) -> None:
    writer = await key_headers(database)
    since = (await client.get("/v1/changes")).json()["next_cursor"]
    ids = []
    for index in (0, 1):  # one event told twice; the second (more important) heads it
        body = item(index).model_dump(mode="json", exclude_unset=True)
        response = await client.post("/v1/articles", json=body, headers=writer)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    story = (await client.get(f"/v1/articles/{ids[1]}")).json()["story"]
    assert story is not None and story["size"] == 2
    socket = Socket(app)
    try:
        accepted = await socket.open()
        assert accepted["type"] == "websocket.accept", accepted
        await socket.send({"type": "connection_init"})
        assert (await socket.receive())["type"] == "connection_ack"
        query = {"query": COLLAPSED, "variables": {"since": since}}
        await socket.send({"id": "1", "type": "subscribe", "payload": query})
        message = await socket.receive()
        assert message["type"] == "next", message
        change = message["payload"]["data"]["articleChanged"]
        assert change["articleId"] == ids[1]
        assert change["article"]["story"] == {"size": 2, "storyId": story["id"]}
        await socket.send({"id": "1", "type": "complete"})
    finally:
        await socket.close()
