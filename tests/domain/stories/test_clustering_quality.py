"""The clustering on a hand-written corpus of real-looking articles, on both databases."""

from __future__ import annotations

import random

import pytest

from api.db.database import Database
from api.domain.articles.upsert import upsert_articles
from api.domain.stories.clustering_quality import evaluate, groups
from tests.domain.stories.corpus import ARTICLES, item, truth
from tests.domain.stories.helpers import pure_partition, stories_by_url

pytestmark = pytest.mark.anyio


async def test_outlets_telling_one_event_become_one_story(database: Database) -> None:
    async with database.session(write=True) as session:
        await upsert_articles(session, [item(i) for i in range(len(ARTICLES))])
    predicted = await stories_by_url(database)
    quality = evaluate(predicted, truth())
    assert quality.items == len(ARTICLES) == len(predicted)
    assert quality.precision >= 0.9, quality
    assert quality.recall >= 0.8, quality


async def test_same_stories_whatever_the_order_and_batching(database: Database) -> None:
    order = list(range(len(ARTICLES)))
    random.Random(7).shuffle(order)
    async with database.session(write=True) as session:
        await upsert_articles(session, [item(i) for i in order[:9]])
    for i in order[9:]:  # the rest one transaction each, as through the API
        async with database.session(write=True) as session:
            await upsert_articles(session, [item(i)])
    stored = groups(await stories_by_url(database))
    assert stored == pure_partition()
    assert 1 < len(stored) < len(ARTICLES)


def test_the_engine_gives_one_partition_for_every_order() -> None:
    expected = pure_partition()
    for seed in range(20):
        order = list(range(len(ARTICLES)))
        random.Random(seed).shuffle(order)
        assert pure_partition(order) == expected


@pytest.mark.parametrize("size", [2, 5])
async def test_same_stories_in_small_batches_over_stored_ones(
    database: Database, size: int
) -> None:
    # Every batch after the first finds its candidates among stored articles in one probe
    # (api.domain.stories.probes), each key with its own time ranges.
    order = list(range(len(ARTICLES)))
    random.Random(size).shuffle(order)
    for start in range(0, len(order), size):
        async with database.session(write=True) as session:
            await upsert_articles(session, [item(i) for i in order[start : start + size]])
    assert groups(await stories_by_url(database)) == pure_partition()
