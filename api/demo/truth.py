"""The demo's ground truth: which event each article tells (0: none, its own story).

Not stored: the corpus is a pure function of (articles, seed), so the truth is generated
again, the same way, without touching a database. Tests and the stories benchmark compare
the stories the clustering wrote with it.
"""

from __future__ import annotations

import datetime as dt
from array import array

from api.demo.catalog import build_catalog
from api.demo.generator import ArticleGenerator, window_start
from api.demo.text import TextFactory
from api.demo.writer import BATCH_SIZE


def demo_truth(articles: int, seed: int) -> array[int]:
    """Event number by article id (index 0 unused), as ``generate_demo`` made them."""
    catalog = build_catalog(seed, window_start(articles) - dt.timedelta(days=30))
    generator = ArticleGenerator(catalog, TextFactory(seed), seed=seed, total=articles)
    for _ in generator.batches(BATCH_SIZE):
        pass
    return generator.desk.truth


def true_stories(articles: int, seed: int) -> dict[int, int]:
    """Article id -> its true story: the event, or (negated) the article itself."""
    truth = demo_truth(articles, seed)
    return {i: truth[i] or -i for i in range(1, articles + 1)}
