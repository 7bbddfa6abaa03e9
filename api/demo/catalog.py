"""The demo's reference data: sources, categories and entities, plus the lookup tables the
article generator samples from (popularity weights, related entities, per-category pools)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from api.demo import vocab
from api.demo.entities import EntityBuilder
from api.demo.keys import slugify
from api.demo.sampling import zipf_cum_weights
from api.models.enums import EntityType

Row = dict[str, Any]
ZIPF_S = 1.1  # entity popularity: P(rank r) ∝ 1 / r**s
SOURCE_ZIPF_S = 0.8  # publishers are less skewed than entities


@dataclass
class Catalog:
    """Rows to insert, and parallel lists (indexed like ``entities``) for fast sampling."""

    sources: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    entities: list[Row] = field(default_factory=list)
    # publishers
    source_domains: list[str] = field(default_factory=list)
    source_names: list[str] = field(default_factory=list)
    source_staff: list[tuple[str, ...]] = field(default_factory=list)
    source_order: list[int] = field(default_factory=list)  # indices by popularity
    source_cum: list[float] = field(default_factory=list)
    sources_by_category: dict[int, list[int]] = field(default_factory=dict)
    # entities
    entity_names: list[str] = field(default_factory=list)
    entity_words: list[int] = field(default_factory=list)
    entity_types: list[EntityType] = field(default_factory=list)
    entity_home: list[int] = field(default_factory=list)  # category id
    related: list[list[int]] = field(default_factory=list)
    entity_order: list[int] = field(default_factory=list)  # indices by popularity
    entity_cum: list[float] = field(default_factory=list)
    category_pools: dict[int, tuple[list[int], list[float]]] = field(default_factory=dict)


def build_catalog(seed: int, created_at: dt.datetime) -> Catalog:
    """Same seed, same catalog; ids are 1..n in insertion order, rows stamped from
    ``created_at`` on."""
    rng = random.Random(f"broadsheet-demo-catalog:{seed}")
    catalog = Catalog()
    category_id = {slug: i for i, (slug, _, _) in enumerate(vocab.CATEGORIES, 1)}
    for slug, name, icon in vocab.CATEGORIES:
        catalog.categories.append(
            {"id": category_id[slug], "slug": slug, "name": name, "icon": icon}
        )
    # One shuffled pool of names, so bylines and people in the news never coincide.
    names = list(itertools.product(vocab.FIRST_NAMES, vocab.LAST_NAMES))
    rng.shuffle(names)
    people = iter(names)
    _add_sources(catalog, rng, category_id, people, created_at)
    EntityBuilder(catalog, rng, category_id, people, created_at).build()
    _rank_entities(catalog, rng, category_id)
    return catalog


def _add_sources(
    catalog: Catalog,
    rng: random.Random,
    category_id: dict[str, int],
    people: Iterator[tuple[str, str]],
    created_at: dt.datetime,
) -> None:
    for index, (name, category) in enumerate(vocab.SOURCES):
        slug = slugify(name)
        domain = slug.removeprefix("the-").replace("-", "") + ".example"
        stamp = created_at + dt.timedelta(minutes=7 * index)
        feed = rng.choice(("feed.xml", "rss", "feed"))
        catalog.sources.append(
            {
                "id": index + 1,
                "slug": slug,
                "name": name,
                "homepage_url": f"https://{domain}",
                "feed_url": f"https://{domain}/{feed}" if rng.random() < 0.85 else None,
                "logo_url": f"https://{domain}/static/logo.png" if rng.random() < 0.9 else None,
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
            }
        )
        catalog.source_domains.append(domain)
        catalog.source_names.append(name)
        hired = itertools.islice(people, rng.randint(3, 8))
        catalog.source_staff.append(tuple(f"{first} {last}" for first, last in hired))
        catalog.sources_by_category.setdefault(category_id[category], []).append(index)
    order = list(range(len(vocab.SOURCES)))
    rng.shuffle(order)
    catalog.source_order = order
    catalog.source_cum = zipf_cum_weights(len(order), SOURCE_ZIPF_S)


def _rank_entities(catalog: Catalog, rng: random.Random, category_id: dict[str, int]) -> None:
    """A random popularity order, Zipf-weighted, globally and within each category."""
    order = list(range(len(catalog.entities)))
    rng.shuffle(order)
    catalog.entity_order = order
    catalog.entity_cum = zipf_cum_weights(len(order), ZIPF_S)
    for category in category_id.values():
        members = [i for i in order if catalog.entity_home[i] == category]
        catalog.category_pools[category] = (members, zipf_cum_weights(len(members), ZIPF_S))
