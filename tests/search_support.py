"""A small hand-written corpus for the search tests, ingested through the upsert service.

Every article says what it is for; the words are chosen so each test can tell which
articles must and must not match (demo text would make that guesswork).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.db.database import Database
from api.domain.articles.inputs import ArticleCreate
from api.domain.articles.upsert import upsert_articles
from api.domain.search.service import search_page
from api.domain.shared.filters import ArticleFilter

SOURCE = {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"}
AI = {"slug": "ai", "name": "AI", "icon": "🧠"}
MARKETS = {"slug": "markets", "name": "Markets", "icon": "📈"}
ACME = {"slug": "acme", "name": "Acme Corp", "type": "company", "ticker": "ACME"}
GLOBEX = {"slug": "globex", "name": "Globex", "type": "company", "aliases": ["Globex Holdings"]}
# How many "harbor" reports there are; the paging tests walk through them and the docks.
HARBOR_COUNT = 25
# Fresh stories naming the harbor only in their analysis: weak matches with the full recency
# boost, so paging must not prune them from the pages where their blended score puts them.
DOCK_COUNT = 3
HARBOR_MATCHES = HARBOR_COUNT + DOCK_COUNT
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# Unfiltered query shapes that every way of finding blocks must page through alike: words,
# an exclusion, a phrase, an OR.
BLOCK_QUERIES: list[tuple[str, ArticleFilter | None]] = [
    ("harbor", None),
    ("harbor -report", None),
    ('"harbor report"', None),
    ("ships OR quiet", None),
]


def item(
    key: str,
    title: str,
    *,
    summary: str = "A short summary of the day.",
    analysis: tuple[str, ...] = ("Nothing else of note happened.",),
    days_ago: float = 30.0,
    category: dict[str, str] = AI,
    importance: int = 5,
    entities: tuple[dict[str, Any], ...] = (),
) -> ArticleCreate:
    return ArticleCreate.model_validate(
        {
            "url": f"https://wire.example/{key}",
            "slug": key,
            "title": title,
            "source": SOURCE,
            "category": category,
            "published_at": (NOW - dt.timedelta(days=days_ago)).isoformat(),
            "importance": importance,
            "summary": summary,
            "analysis": list(analysis),
            "key_takeaways": ["Takeaway one"],
            "mentions": [{"entity": e, "salience": 0.8} for e in entities],
        }
    )


def corpus() -> list[ArticleCreate]:
    harbor = [
        item(
            f"harbor-{n}",
            f"Harbor report number {n}",
            summary=f"Ships at the harbor, day {n}.",
            days_ago=n * 1.5,
            importance=1 + n % 10,
        )
        for n in range(HARBOR_COUNT)
    ]
    docks = [
        item(
            f"dock-{n}",
            f"Dock workers vote, round {n}",
            analysis=("The harbor was quiet all week.",),
            days_ago=n / 10,
        )
        for n in range(DOCK_COUNT)
    ]
    return [
        *docks,
        item("title-phrase", "Regulators weigh export ban on chips", days_ago=10),
        item(
            "analysis-phrase",
            "Regulators weigh new rules on chips",
            analysis=("Officials said an export ban on chips was discussed at length.",),
            days_ago=10,
        ),
        item("giraffe", "Giraffe sighting at the zoo", entities=(ACME,), importance=8),
        item("okapi", "Okapi calf born", category=MARKETS, entities=(GLOBEX,), importance=3),
        item("poacher", "Giraffe poacher arrested", importance=6),
        item("unsafe", "Markup test", summary="<script>alert('x')</script> & zebra crossing"),
        *harbor,
    ]


async def ingest(database: Database, items: list[ArticleCreate]) -> None:
    async with database.session(write=True) as session:
        await upsert_articles(session, items)


async def seed(database: Database) -> None:
    await ingest(database, corpus())


async def all_pages(
    database: Database, q: str, article_filter: ArticleFilter | None = None
) -> list[tuple[int, float]]:
    """(pk, score) of every hit, paging four at a time."""
    hits: list[tuple[int, float]] = []
    cursor = None
    while True:
        async with database.session() as session:
            page = await search_page(
                session, q, article_filter or ArticleFilter(), limit=4, cursor=cursor, now=NOW
            )
        hits.extend((h.article.pk, h.score) for h in page.items)
        if page.next_cursor is None:
            return hits
        cursor = page.next_cursor


# Hostile or odd queries: each must be a 200 or a 400 naming the query, never a 500.
NASTY_QUERIES = [
    '"',
    '""',
    '"""',
    'export "ban',
    "OR",
    "OR OR",
    "a OR",
    "OR a",
    "a OR OR b",
    "-",
    "-a",
    "--a",
    "- -",
    "*",
    "a*",
    "*a",
    "NEAR(",
    "NEAR(a b)",
    "NEAR(a b, 2)",
    "title:x",
    "{title summary}:x",
    "^",
    "^a",
    "(",
    ")",
    "(a OR b)",
    "a AND b",
    "a NOT b",
    "AND",
    "NOT",
    "a + b",
    "\x00",
    "a\x00b",
    "x" * 300,
    " ".join(["w"] * 40),
    "🚀",
    "🚀 harbor 🚀",
    "'; DROP TABLE articles; --",
    "1' OR '1'='1",
    "a'b",
    "%",
    "_",
    "%_%",
    "\\",
    "\\\\ harbor \\",
    "مرحبا بالعالم",
    "\u202eharbor",
    "שלום harbor",
    "Zürich",
    "<script>alert(1)</script>",
    "&amp;",
    "harbor:*",
    "a & b | !c",
    "'harbor'",
    "!!harbor",
    "\ue000harbor\ue001",
    "\u200b",
    "   ",
    "",
]
