"""Articles, mentions and stored links, generated batch by batch in publication order.

Ids are assigned here (1..N) so a batch's mentions and links can reference its articles
without a round trip; articles come out oldest first, so every link points at an article
that is already written (or earlier in the same batch, which is inserted first).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from api.demo.catalog import Catalog
from api.demo.events import EventDesk
from api.demo.keys import base36, slugify, uuid7
from api.demo.phrases import C_FALLBACK
from api.demo.sampling import one_of, pick
from api.demo.text import TextFactory
from api.models.enums import LinkKind, Sentiment

Row = dict[str, Any]
# A fixed anchor, not now(): the same seed must give the same corpus on any day.
ANCHOR = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
MENTION_COUNTS, MENTION_CUM = (2, 3, 4, 5, 6, 7, 8), (10, 30, 55, 75, 88, 96, 100)
IMPORTANCE, IMPORTANCE_CUM = tuple(range(1, 11)), (1, 4, 10, 21, 38, 58, 76, 88, 95, 100)
LINK_COUNTS, LINK_CUM = (1, 2, 3), (60, 90, 100)
LINK_KINDS = (
    LinkKind.SAME_STORY,
    LinkKind.FOLLOW_UP,
    LinkKind.BACKGROUND,
    LinkKind.ANALYSIS,
    LinkKind.OPINION,
)
LINK_KIND_CUM = (30, 60, 80, 92, 100)
LINK_SHARE = 0.3  # articles that get stored links
RECENT_PER_ENTITY = 8  # ring buffer of recent article ids per entity: bounded memory
SENTIMENTS = (Sentiment.BULLISH, Sentiment.BEARISH, Sentiment.NEUTRAL)


def window_days(total: int) -> int:
    """Six months of news; a year for very large corpora, so days don't get too dense."""
    return 183 if total <= 250_000 else 365


def window_start(total: int) -> dt.datetime:
    return ANCHOR - dt.timedelta(days=window_days(total))


@dataclass(slots=True)
class Batch:
    articles: list[Row] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)
    links: list[Row] = field(default_factory=list)


class ArticleGenerator:
    def __init__(self, catalog: Catalog, text: TextFactory, *, seed: int, total: int) -> None:
        self.catalog = catalog
        self.text = text
        self.total = total
        self.rng = random.Random(f"broadsheet-demo-articles:{seed}")
        self.start = int(window_start(total).timestamp())
        self.step = window_days(total) * 86_400 / total
        self.recent: list[deque[int]] = [deque(maxlen=RECENT_PER_ENTITY) for _ in catalog.entities]
        self.category_ids = [row["id"] for row in catalog.categories]
        self.next_id = 1
        self.next_link_id = 1
        # Events told by several outlets; its own random stream, so ordinary text is as before.
        self.desk = EventDesk(catalog, seed=seed, total=total)

    def batches(self, size: int) -> Iterator[Batch]:
        remaining = self.total
        while remaining:
            count = min(size, remaining)
            batch = Batch()
            for _ in range(count):
                self._article(batch)
            remaining -= count
            yield batch

    def _entities(self, category: int, primary: int, count: int) -> list[int]:
        """``count`` distinct entities: the primary, its relations, its category, anything."""
        random_, catalog = self.rng.random, self.catalog
        members, member_cum = catalog.category_pools[category]
        related = catalog.related[primary]
        chosen = [primary]
        for _ in range(count * 6):  # bounded: a tiny pool may not have enough distinct names
            draw = random_()
            if draw < 0.3 and related:
                entity = one_of(random_, related)
            elif draw < 0.65 and members:
                entity = pick(random_, members, member_cum)
            else:
                entity = pick(random_, catalog.entity_order, catalog.entity_cum)
            if entity not in chosen:
                chosen.append(entity)
                if len(chosen) == count:
                    break
        return chosen

    def _article(self, batch: Batch) -> None:
        rng, catalog = self.rng, self.catalog
        random_ = rng.random
        article_id = self.next_id
        self.next_id += 1
        # Evenly spread slots with jitter inside each: published_at never goes backwards.
        seconds = self.start + int((article_id - 1 + random_()) * self.step)
        published = dt.datetime.fromtimestamp(seconds, dt.UTC)

        primary = pick(random_, catalog.entity_order, catalog.entity_cum)
        category = (
            catalog.entity_home[primary] if random_() < 0.8 else one_of(random_, self.category_ids)
        )
        count = pick(random_, MENTION_COUNTS, MENTION_CUM)
        entities = self._entities(category, primary, count)
        nearby = catalog.sources_by_category.get(category)
        if nearby and random_() < 0.55:
            source = one_of(random_, nearby)
        else:
            source = pick(random_, catalog.source_order, catalog.source_cum)

        draw = random_()
        if draw < 0.36:
            sentiment, score = Sentiment.BULLISH, round(0.1 + 0.9 * random_(), 3)
        elif draw < 0.66:
            sentiment, score = Sentiment.BEARISH, -round(0.1 + 0.9 * random_(), 3)
        else:
            sentiment, score = Sentiment.NEUTRAL, round(0.2 * random_() - 0.1, 3)
        draw = random_()
        language = "en" if draw < 0.96 else "de" if draw < 0.98 else "fr" if draw < 0.99 else "es"

        names, words = catalog.entity_names, catalog.entity_words
        third = (
            (names[entities[2]], words[entities[2]])
            if len(entities) > 2
            else (C_FALLBACK[language], C_FALLBACK[language].count(" ") + 1)
        )
        text = self.text.write(
            rng,
            language=language,
            sentiment=sentiment,
            primary=catalog.entity_types[entities[0]],
            secondary=catalog.entity_types[entities[1]],
            names=(names[entities[0]], names[entities[1]], third[0]),
            words=(words[entities[0]], words[entities[1]], third[1]),
        )
        title, summary = text.title, text.summary
        coverage = self.desk.cover(article_id, published)
        if coverage is not None:
            title, summary, source, language = (
                coverage.title,
                coverage.summary,
                coverage.source,
                "en",
            )
        elif language == "en":
            title += self.desk.detail()
        slug = f"{slugify(title, 150)}-{base36(article_id)}"
        domain, month = catalog.source_domains[source], f"{published.year}/{published.month:02d}"
        has_image = random_() < 0.85
        staff = catalog.source_staff[source]
        stamp = published + dt.timedelta(seconds=90 + int(random_() * 1_500))
        batch.articles.append(
            {
                "id": article_id,
                "public_id": uuid7(seconds * 1000, rng.getrandbits(74)),
                "slug": slug,
                "title": title,
                "url": f"https://{domain}/{month}/{slug}",
                "source_id": source + 1,
                "author": "Editorial Team" if random_() < 0.15 else one_of(random_, staff),
                "published_at": published,
                "image_url": f"https://{domain}/images/{month}/{slug}.jpg" if has_image else None,
                "image_credit": f"Image via {catalog.source_names[source]}" if has_image else None,
                "category_id": category,
                "sentiment": sentiment,
                "sentiment_score": score,
                "importance": pick(random_, IMPORTANCE, IMPORTANCE_CUM),
                "summary": summary,
                "analysis": text.analysis,
                "key_takeaways": text.takeaways,
                "language": language,
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
            }
        )
        self._mentions(batch, article_id, entities, sentiment)
        drawn = entities  # the links below draw from these: the random stream stays as it was
        if coverage is not None:
            # The draws above keep the ordinary articles' stream; the event's entities replace.
            del batch.mentions[-len(entities) :]
            entities = [entity for entity, _ in coverage.mentions]
            batch.mentions.extend(
                {"article_id": article_id, "entity_id": e + 1, "salience": s, "sentiment": None}
                for e, s in coverage.mentions
            )
        if article_id > 1 and random_() < LINK_SHARE:
            self._links(batch, article_id, drawn)
        for entity in entities:
            self.recent[entity].append(article_id)

    def _mentions(
        self, batch: Batch, article_id: int, entities: list[int], sentiment: Sentiment
    ) -> None:
        rng = self.rng
        random_ = rng.random
        # The primary entity is central to the story; the rest trail off.
        saliences = [round(0.75 + 0.25 * random_(), 3)]
        saliences += sorted((round(0.05 + 0.6 * random_(), 3) for _ in entities[1:]), reverse=True)
        for entity, salience in zip(entities, saliences, strict=True):
            draw = random_()
            tone = sentiment if draw < 0.45 else one_of(random_, SENTIMENTS) if draw < 0.6 else None
            batch.mentions.append(
                {
                    "article_id": article_id,
                    "entity_id": entity + 1,
                    "salience": salience,
                    "sentiment": tone,
                }
            )

    def _links(self, batch: Batch, article_id: int, entities: list[int]) -> None:
        """1-3 links to distinct earlier articles, preferably ones about the same entities."""
        random_, recent = self.rng.random, self.recent
        targets: list[int] = []
        for _ in range(pick(random_, LINK_COUNTS, LINK_CUM)):
            for _attempt in range(4):
                draw = random_()
                pool = recent[entities[0]] if draw < 0.6 else recent[one_of(random_, entities[1:])]
                target = (
                    one_of(random_, pool)
                    if pool and draw < 0.9
                    else 1 + int(random_() * (article_id - 1))
                )
                if target not in targets:
                    targets.append(target)
                    break
        truth = self.desk.truth
        for target in targets:
            kind = pick(random_, LINK_KINDS, LINK_KIND_CUM)
            if kind is LinkKind.SAME_STORY and not (truth[article_id] == truth[target] != 0):
                # An editor's "same story" is hard evidence: only between one event's articles.
                kind = LinkKind.FOLLOW_UP
            batch.links.append(
                {
                    "id": self.next_link_id,
                    "from_article_id": article_id,
                    "to_article_id": target,
                    "kind": kind,
                    "score": round(0.3 + 0.7 * random_(), 3) if random_() < 0.8 else None,
                }
            )
            self.next_link_id += 1
