"""The changes log lets a client mirror the store: replayed, it ends equal to the store."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from tests.fixtures.databases import THROUGH_POOLER, all_pages
from tests.fixtures.writes import create

# Also through PgBouncer in transaction mode (tests/fixtures/pgbouncer.py).
pytestmark = [pytest.mark.anyio, THROUGH_POOLER]


class Mirror:
    def __init__(self) -> None:
        self.articles: dict[str, dict[str, Any]] = {}
        self.cursor: str | None = None
        self.seen: list[int] = []

    async def sync(self, client: httpx.AsyncClient) -> None:
        while True:
            params = {"limit": 7} | ({"since": self.cursor} if self.cursor else {})
            page = (await client.get("/v1/changes", params=params)).json()
            for change in page["items"]:
                self.seen.append(change["seq"])
                await self.apply(client, change)
            self.cursor = page["next_cursor"]
            if not page["items"]:
                return

    async def apply(self, client: httpx.AsyncClient, change: dict[str, Any]) -> None:
        key = change["id"]
        if change["resource"] != "article":  # this mirror keeps articles only
            return
        # An article's story changes with its story's other articles (one joins, leaves or
        # is edited): those changes name the story, whose articles the mirror refreshes,
        # as it does the story it held the article in.
        held = self.articles.get(key, {}).get("story")
        stories = {change["story_id"], held["id"] if held else None} - {None}
        if change["op"] == "deleted":
            self.articles.pop(key, None)
        else:
            await self.refresh(client, key)
        for story in sorted(stories):
            response = await client.get(f"/v1/stories/{story}")
            if response.status_code == 404:  # merged into another or emptied since
                continue
            for member in response.json()["articles"]:
                await self.refresh(client, member["article"]["id"])

    async def refresh(self, client: httpx.AsyncClient, key: str) -> None:
        response = await client.get(f"/v1/articles/{key}")
        if response.status_code == 410:  # deleted since: its own change follows
            self.articles.pop(key, None)
            return
        assert response.status_code == 200
        self.articles[key] = own_fields(response.json())


async def store(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    items = await all_pages(client, "/v1/articles", limit=50, fields="title")
    return {
        item["id"]: own_fields((await client.get(f"/v1/articles/{item['id']}")).json())
        for item in items
    }


def own_fields(view: dict[str, Any]) -> dict[str, Any]:
    """An article as a mirror stores it: other resources by reference, not by copy.

    The page embeds link targets' headlines; those change with the target's own log entry,
    which is how a normalised mirror picks them up.
    """
    links = [(ln["kind"], ln["score"], ln["article"]["id"]) for ln in view["related_links"]]
    return {**view, "related_links": sorted(links, key=repr)}


async def test_replaying_random_writes_rebuilds_the_store(
    client: httpx.AsyncClient,
    writer: dict[str, str],
) -> None:
    rng = random.Random(20261127)
    mirror = Mirror()
    live: dict[str, str] = {}  # id -> etag
    url_of: dict[str, str] = {}
    for step in range(60):
        action = rng.random()
        if action < 0.4 or len(live) < 3:
            url = f"https://news.example/{step}"
            # Links make deletes ripple: the linking article changes too.
            targets = rng.sample(sorted(url_of[k] for k in live), min(2, len(live)))
            links = [{"url": target, "kind": "follow_up"} for target in targets]
            response = await create(client, writer, url=url, title=f"Story {step}", links=links)
            live[response.json()["id"]] = response.headers["etag"]
            url_of[response.json()["id"]] = url
        elif action < 0.75:
            key = rng.choice(sorted(live))
            response = await client.patch(
                f"/v1/articles/{key}",
                json={"title": f"Edited {step}", "importance": rng.randint(1, 10)},
                headers=writer | {"If-Match": live[key]},
            )
            assert response.status_code == 200, response.text
            live[key] = response.headers["etag"]
        else:
            key = rng.choice(sorted(live))
            assert (await client.delete(f"/v1/articles/{key}", headers=writer)).status_code == 204
            del live[key]
            # Articles that linked here moved on a version: refresh what we hold for them.
            for other in live:
                live[other] = (await client.get(f"/v1/articles/{other}")).headers["etag"]
        if rng.random() < 0.2:
            await mirror.sync(client)
    await mirror.sync(client)
    assert mirror.seen == sorted(set(mirror.seen))  # commit order, nothing repeated
    assert mirror.articles == await store(client)


async def test_an_empty_log_keeps_the_cursor(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1/changes")).json()
    assert first["items"] == []
    again = (await client.get("/v1/changes", params={"since": first["next_cursor"]})).json()
    assert again == first


@pytest.mark.parametrize("since", ["x", "WyJuZXdlc3QiLDFd", "!!", "W10"])
async def test_a_foreign_cursor_is_400(client: httpx.AsyncClient, since: str) -> None:
    response = await client.get("/v1/changes", params={"since": since})
    assert response.status_code == 400
