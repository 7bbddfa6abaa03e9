"""The demo corpus tells stories: several outlets per event, look-alikes, and a ground truth."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
from sqlalchemy import Engine, text

from api.demo import generate_demo
from api.demo.truth import demo_truth, true_stories
from api.domain.stories.aggregates import summarize
from api.domain.stories.clustering_quality import evaluate

ARTICLES = 1_500


def _members(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT m.story_id, a.id, a.importance, a.published_at, a.source_id "
                    "FROM story_members m JOIN articles a ON a.id = m.article_id"
                )
            ).all()
        )


def test_the_demo_clusters_its_events_as_the_truth_says(sync_engine: Engine) -> None:
    stats = generate_demo(sync_engine, articles=ARTICLES, seed=5, if_empty=False, progress=False)
    members = _members(sync_engine)
    assert len(members) == ARTICLES == len({row[1] for row in members})
    predicted = {row[1]: row[0] for row in members}
    quality = evaluate(predicted, true_stories(ARTICLES, 5))
    assert quality.precision >= 0.9, quality
    assert quality.recall >= 0.8, quality
    assert stats.stories == len(set(predicted.values()))


def test_events_have_several_sources_and_look_alikes(sync_engine: Engine) -> None:
    truth = demo_truth(ARTICLES, 5)
    sizes = Counter(event for event in truth[1:] if event)
    assert len(sizes) > 50 and max(sizes.values()) >= 4
    assert sum(sizes.values()) > ARTICLES // 5  # a good share of the corpus is coverage
    generate_demo(sync_engine, articles=ARTICLES, seed=5, if_empty=False, progress=False)
    with sync_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.id, a.source_id, m.entity_id FROM articles a "
                "JOIN mentions m ON m.article_id = a.id AND m.salience >= 0.75"
            )
        ).all()
    sources: dict[int, set[int]] = {}
    subjects: dict[int, set[int]] = {}
    for article, source, entity in rows:
        if truth[article]:
            sources.setdefault(truth[article], set()).add(source)
            subjects.setdefault(entity, set()).add(truth[article])
    # every event is told by as many outlets as it has articles
    assert all(len(sources[e]) == n for e, n in sizes.items() if e in sources)
    # look-alikes: some subjects are the main entity of several events
    assert max(len(events) for events in subjects.values()) > 3


def test_demo_story_aggregates_are_exact(sync_engine: Engine) -> None:
    generate_demo(sync_engine, articles=400, seed=2, if_empty=False, progress=False)
    groups: dict[int, list[tuple[int, int, Any, int]]] = {}
    for story_id, article_id, importance, published_at, source_id in _members(sync_engine):
        groups.setdefault(story_id, []).append((article_id, importance, published_at, source_id))
    with sync_engine.connect() as connection:
        stories = connection.execute(
            text(
                "SELECT id, size, source_count, headline_article_id, first_published_at, "
                "last_published_at FROM stories"
            )
        ).all()
    assert {row[0] for row in stories} == set(groups)
    for story_id, *stored in stories:
        expected = summarize(groups[story_id])
        assert stored[:3] == [
            expected["size"],
            expected["source_count"],
            expected["headline_article_id"],
        ]
    # Each story's sources as feed items grouped them before they were stored.
    computed: dict[int, list[dict[str, str]]] = {}
    with sync_engine.connect() as connection:
        for story_id, slug, name in connection.execute(
            text(
                "SELECT m.story_id, s.slug, s.name FROM story_members m "
                "JOIN articles a ON a.id = m.article_id JOIN sources s ON s.id = a.source_id "
                "GROUP BY m.story_id, s.id, s.slug, s.name "
                "ORDER BY m.story_id, min(a.published_at), s.slug"
            )
        ):
            computed.setdefault(story_id, []).append({"slug": slug, "name": name})
        stored_sources = {
            int(k): str(v) for k, v in connection.execute(text("SELECT id, sources FROM stories"))
        }
    assert {k: orjson.loads(v) for k, v in stored_sources.items()} == computed
