"""Co-occurring and trending entities over REST (GraphQL agreement in tests/graphql)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from itertools import combinations
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.db.database import Database
from api.domain.catalog.entity_graph import growth_score
from tests.fixtures.related_corpus import BASE, ingest, story

pytestmark = pytest.mark.anyio


def brute_force_co_occurrence(engine: Engine) -> dict[str, Counter[str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT m.article_id, e.slug FROM mentions m JOIN entities e ON e.id = m.entity_id"
            )
        ).all()
    by_article: dict[int, set[str]] = {}
    for article, slug in rows:
        by_article.setdefault(article, set()).add(slug)
    pairs: dict[str, Counter[str]] = {}
    for slugs in by_article.values():
        for a, b in combinations(sorted(slugs), 2):
            pairs.setdefault(a, Counter())[b] += 1
            pairs.setdefault(b, Counter())[a] += 1
    return pairs


async def test_co_occurrence_counts_equal_a_brute_force_count(
    client: httpx.AsyncClient, corpus: int, sync_engine: Engine
) -> None:
    expected = brute_force_co_occurrence(sync_engine)
    busiest = sorted(expected, key=lambda slug: (-sum(expected[slug].values()), slug))
    for slug in [*busiest[:3], busiest[-1]]:
        response = await client.get(f"/v1/entities/{slug}/related", params={"limit": 50})
        assert response.status_code == 200, response.text
        body = response.json()
        want = sorted(expected[slug].items(), key=lambda item: (-item[1], item[0]))[:50]
        assert body["entity"] == slug
        assert [(i["entity"]["slug"], i["count"]) for i in body["items"]] == want
    limited = await client.get(f"/v1/entities/{busiest[0]}/related", params={"limit": 2})
    assert len(limited.json()["items"]) == 2


async def test_related_entities_errors(client: httpx.AsyncClient, corpus: int) -> None:
    missing = await client.get("/v1/entities/no-such-entity/related")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    for params in ({"limit": "0"}, {"limit": "51"}, {"first": "3"}):
        response = await client.get("/v1/entities/no-such-entity/related", params=params)
        assert response.status_code == 400, params
        assert [p["name"] for p in response.json()["invalid_params"]] == list(params)


def _spike_corpus() -> list[Any]:
    """A story an hour for two days. In the last 24 hours (hours 24-47) against the 24
    before: spike 2 -> 12, steady 10 -> 10, blip 1 -> 3 (big ratio, tiny counts),
    fading 8 -> 1, acme 5 -> 5."""
    items = []
    for hour in range(48):
        current = hour >= 24
        mentions: dict[str, float] = {}
        if hour % 12 == 0 if not current else hour % 2 == 0:
            mentions["spike"] = 0.6
        if hour % 24 < 20 and hour % 2 == 0:
            mentions["steady"] = 0.4
        if hour in (3, 30, 31, 32):
            mentions["blip"] = 0.3
        if hour % 3 == 0 if not current else hour == 40:
            mentions["fading"] = 0.2
        if hour % 5 == 0:
            mentions["acme"] = 0.5
        items.append(story(f"h{hour}", mentions, hours=hour))
    return items


def _counts(items: list[Any], since: dt.datetime, until: dt.datetime) -> Counter[str]:
    counted: Counter[str] = Counter()
    for item in items:
        if since < item.published_at <= until:
            counted.update(mention.entity.slug for mention in item.mentions)
    return counted


async def test_trending_ranks_a_constructed_spike_first(
    client: httpx.AsyncClient, database: Database
) -> None:
    items = _spike_corpus()
    await ingest(database, *items)
    newest = BASE + dt.timedelta(hours=47)
    response = await client.get("/v1/entities/trending", params={"window": "24h"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert dt.datetime.fromisoformat(body["window_end"]) == newest  # default: newest article
    assert dt.datetime.fromisoformat(body["window_start"]) == newest - dt.timedelta(hours=24)
    current = _counts(items, newest - dt.timedelta(hours=24), newest)
    previous = _counts(items, newest - dt.timedelta(hours=48), newest - dt.timedelta(hours=24))
    ranked = body["items"]
    assert (previous["spike"], current["spike"], previous["blip"], current["blip"]) == (2, 12, 1, 3)
    assert [item["entity"]["slug"] for item in ranked[:2]] == ["spike", "blip"]
    for item in ranked:
        slug = item["entity"]["slug"]
        assert (item["current_count"], item["previous_count"]) == (current[slug], previous[slug])
        want = (current[slug] - previous[slug]) / math.sqrt(previous[slug] + 1)
        assert math.isclose(item["growth"], want)
    assert {item["entity"]["slug"] for item in ranked} == set(current)  # only current ones
    growth = [item["growth"] for item in ranked]
    assert growth == sorted(growth, reverse=True)

    # An explicit end: the window a day earlier has no spike yet.
    earlier = newest - dt.timedelta(hours=24)
    response = await client.get(
        "/v1/entities/trending", params={"window": "24h", "until": earlier.isoformat()}
    )
    assert "spike" not in [i["entity"]["slug"] for i in response.json()["items"]][:1]
    typed = await client.get("/v1/entities/trending", params={"window": "7d", "type": "topic"})
    assert [i["entity"]["slug"] for i in typed.json()["items"]] == ["fading"]


def test_growth_prefers_large_steady_gains_to_tiny_jumps() -> None:
    assert growth_score(400, 200) > growth_score(3, 1) > growth_score(5, 5) == 0
    assert growth_score(0, 8) < 0


async def test_trending_is_not_taken_for_an_entity_slug(
    client: httpx.AsyncClient, database: Database
) -> None:
    await ingest(database, story("one", {"acme": 0.5}))
    week = await client.get("/v1/entities/trending", params={"window": "7d", "limit": 5})
    assert week.status_code == 200 and week.json()["window"] == "7d"
    assert [i["entity"]["slug"] for i in week.json()["items"]] == ["acme"]
    for params in (
        {},
        {"window": "1h"},
        {"window": "24h", "limit": "51"},
        {"window": "7d", "until": "soon"},
        {"window": "7d", "until": "0001-01-02T00:00:00Z"},
    ):
        response = await client.get("/v1/entities/trending", params=params)
        assert response.status_code == 400, params
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/entities/acme")).status_code == 200
