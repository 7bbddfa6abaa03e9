"""A small deterministic corpus, defined in Python so tests can compute their expectations.

Inserted with SQLAlchemy Core through a sync engine: fast, independent of ingest and of
the demo generator, and usable at import time (the schemathesis module needs that).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Engine, insert

from api.models import Article, ArticleLink, Category, Entity, Mention, Source

BASE_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SOURCES = ("alpha-news", "beta-wire", "gamma-daily")
CATEGORIES = (("ai", "AI", "🧠"), ("crypto", "Crypto", "₿"), ("markets", "Markets", "📈"))
ENTITIES = (
    ("anthropic", "Anthropic", "company", None),
    ("bitcoin", "Bitcoin", "cryptocurrency", "BTC"),
    ("ethereum", "Ethereum", "cryptocurrency", "ETH"),
    ("openai", "OpenAI", "company", None),
    ("sam-altman", "Sam Altman", "person", None),
    ("sec", "SEC", "organization", None),
    ("united-states", "United States", "country", None),
    ("gpu", "GPU", "product", None),
)
SENTIMENTS = ("bullish", "bearish", "neutral")


@dataclass(frozen=True)
class SeedArticle:
    pk: int
    public_id: str
    slug: str
    published_at: dt.datetime
    importance: int
    sentiment: str
    source: str
    category: str | None
    language: str
    entities: tuple[str, ...]  # most salient first
    links: tuple[tuple[int, str, float | None], ...] = field(default=())  # (to pk, kind, score)


def _article(i: int) -> SeedArticle:
    pk = i + 1
    first, second = ENTITIES[i % 8][0], ENTITIES[(i * 3 + 1) % 8][0]
    entities = (first,) if first == second else (first, second)
    links: list[tuple[int, str, float | None]] = []
    if i >= 1:
        links.append((pk - 1, "follow_up", 0.8))
    if i >= 2 and i % 4 == 0:
        links.append((pk - 2, "background", None))
    return SeedArticle(
        pk=pk,
        public_id=str(uuid.UUID(int=(0x0190 << 112) | pk)),
        slug=f"story-{pk:04d}",
        # Two stories share each timestamp so the id tie-breaker is exercised.
        published_at=BASE_TIME + dt.timedelta(hours=i // 2),
        importance=(i * 7) % 10 + 1,
        sentiment=SENTIMENTS[i % 3],
        source=SOURCES[i % 3],
        category=None if i % 10 == 9 else CATEGORIES[i % 3][0],
        language="de" if i % 5 == 4 else "en",
        entities=entities,
        links=tuple(links),
    )


@dataclass(frozen=True)
class Corpus:
    articles: tuple[SeedArticle, ...]

    def by_pk(self, pk: int) -> SeedArticle:
        return self.articles[pk - 1]

    def newest_first(self) -> list[SeedArticle]:
        return sorted(self.articles, key=lambda a: (a.published_at, a.pk), reverse=True)

    def by_importance(self) -> list[SeedArticle]:
        return sorted(
            self.articles, key=lambda a: (a.importance, a.published_at, a.pk), reverse=True
        )


def build_corpus(count: int = 120) -> Corpus:
    return Corpus(tuple(_article(i) for i in range(count)))


def seed(engine: Engine, corpus: Corpus) -> None:
    source_ids = {slug: n for n, slug in enumerate(SOURCES, 1)}
    category_ids = {c[0]: n for n, c in enumerate(CATEGORIES, 1)}
    entity_ids = {e[0]: n for n, e in enumerate(ENTITIES, 1)}
    with engine.begin() as connection:
        connection.execute(
            insert(Source),
            [
                {
                    "id": n,
                    "slug": slug,
                    "name": slug.replace("-", " ").title(),
                    "homepage_url": f"https://{slug}.example",
                    "feed_url": f"https://{slug}.example/feed" if n != 2 else None,
                    "logo_url": None,
                }
                for slug, n in source_ids.items()
            ],
        )
        connection.execute(
            insert(Category),
            [{"id": category_ids[s], "slug": s, "name": n, "icon": i} for s, n, i in CATEGORIES],
        )
        connection.execute(
            insert(Entity),
            [
                {
                    "id": entity_ids[slug],
                    "slug": slug,
                    "name": name,
                    "type": type_,
                    "aliases": [name.upper()] if ticker else [],
                    "ticker": ticker,
                    "wikidata_id": f"Q{entity_ids[slug]}",
                    "homepage_url": None,
                    "description": f"About {name}.",
                }
                for slug, name, type_, ticker in ENTITIES
            ],
        )
        connection.execute(
            insert(Article),
            [
                {
                    "id": a.pk,
                    "public_id": a.public_id,
                    "slug": a.slug,
                    "title": f"Story {a.pk}",
                    "url": f"https://{a.source}.example/{a.slug}",
                    "source_id": source_ids[a.source],
                    "author": "Desk" if a.pk % 2 else None,
                    "published_at": a.published_at,
                    "image_url": None,
                    "image_credit": None,
                    "category_id": None if a.category is None else category_ids[a.category],
                    "sentiment": a.sentiment,
                    "sentiment_score": 0.5,
                    "importance": a.importance,
                    "summary": f"Summary of story {a.pk}.",
                    "analysis": [f"Analysis {a.pk}.1", f"Analysis {a.pk}.2"],
                    "key_takeaways": [f"Takeaway {a.pk}"],
                    "language": a.language,
                }
                for a in corpus.articles
            ],
        )
        connection.execute(
            insert(Mention),
            [
                {
                    "article_id": a.pk,
                    "entity_id": entity_ids[slug],
                    "salience": 0.9 - 0.1 * rank,
                    "sentiment": a.sentiment if rank == 0 else None,
                }
                for a in corpus.articles
                for rank, slug in enumerate(a.entities)
            ],
        )
        connection.execute(
            insert(ArticleLink),
            [
                {"from_article_id": a.pk, "to_article_id": to, "kind": kind, "score": score}
                for a in corpus.articles
                for to, kind, score in a.links
            ],
        )
