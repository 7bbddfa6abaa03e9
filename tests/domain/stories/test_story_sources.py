"""``stories.sources``, the list an article's story carries, equals its members' sources
(grouped as feed items did before it was stored) after every write that can change it:
create, join, merge, move by edit, delete, and a source renamed inline or in the catalog."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from sqlalchemy import select

from api.db.database import Database
from api.domain.articles.writes import delete_article
from api.domain.catalog.inputs import SourceUpdate
from api.domain.catalog.writes import change
from api.models import Article, Source
from api.models.story import Story
from tests.domain.stories.corpus import ARTICLES, BASE, url
from tests.domain.stories.helpers import computed_sources, member_of, stored_sources, write

pytestmark = pytest.mark.anyio

# The rice ban told by harbour-times (hour 0), ledger (3.5) and market-post (20); the RBI
# decision by wire-daily (10) and the-courier (12); Nvidia by harbour-times, ledger and
# market-post again (80-81).
RICE, RBI, NVIDIA = (0, 1, 2), (3, 4), (15, 16, 17)


async def slugs_of(database: Database, index: int) -> list[str]:
    """The stored sources of article ``index``'s story, after checking every story's."""
    stored = await stored_sources(database)
    assert stored == await computed_sources(database)
    story, _ = await member_of(database, url(index))
    return [source["slug"] for source in stored[story.id]]


async def test_a_story_founded_by_one_write_lists_its_sources_by_first_coverage(
    database: Database,
) -> None:
    await write(database, 2, 1, 0)  # aggregates known in the write: nothing read back
    assert await slugs_of(database, 0) == ["harbour-times", "ledger", "market-post"]


async def test_joining_articles_add_their_sources(database: Database) -> None:
    await write(database, 0)
    assert await slugs_of(database, 0) == ["harbour-times"]
    await write(database, 2)
    assert await slugs_of(database, 0) == ["harbour-times", "market-post"]
    await write(database, 1)  # covered it earlier than market-post did
    assert await slugs_of(database, 0) == ["harbour-times", "ledger", "market-post"]


async def test_sources_first_covering_at_the_same_time_go_by_slug(database: Database) -> None:
    at = (BASE + dt.timedelta(hours=5)).isoformat()
    await write(database, 0)
    await write(database, 2, published_at=at)
    await write(database, 1, published_at=at)
    assert await slugs_of(database, 0) == ["harbour-times", "ledger", "market-post"]


async def test_a_merge_unites_the_sources(database: Database) -> None:
    await write(database, 15)
    await write(database, 16)  # no title word in common: a second story
    assert await slugs_of(database, 16) == ["ledger"]
    bridge = "Nvidia revenue soars to record $13.5 billion, beating forecasts on AI chip demand"
    await write(database, 17, title=bridge)
    assert await slugs_of(database, 15) == ["harbour-times", "ledger", "market-post"]


async def test_an_edit_moves_a_source_to_the_other_story(database: Database) -> None:
    await write(database, *RICE, *RBI)
    _, _, _, title, summary, mentions = ARTICLES[4]
    moved = {
        "title": title + " (updated)",
        "summary": summary,
        "mentions": [
            {"entity": {"slug": s, "name": s.upper(), "type": "organization"}, "salience": v}
            for s, v in mentions.items()
        ],
    }
    await write(database, 1, **moved)  # now tells the RBI decision, still at hour 3.5
    assert await slugs_of(database, 0) == ["harbour-times", "market-post"]
    assert await slugs_of(database, 3) == ["ledger", "wire-daily", "the-courier"]


async def test_an_edited_time_reorders_the_sources(database: Database) -> None:
    await write(database, *RICE)
    await write(database, 2, published_at=(BASE + dt.timedelta(hours=1)).isoformat())
    assert await slugs_of(database, 0) == ["harbour-times", "market-post", "ledger"]


async def test_a_delete_takes_the_source_of_its_last_article(database: Database) -> None:
    await write(database, *RICE)
    async with database.session() as session:
        first = (
            await session.execute(select(Article.public_id).where(Article.url == url(0)))
        ).scalar_one()
    async with database.session(write=True) as session:
        await delete_article(session, first, expected_version=None)
    assert await slugs_of(database, 1) == ["ledger", "market-post"]


async def names_of(database: Database, slug: str) -> set[str]:
    """The names ``slug`` has in the stored sources of the stories listing it."""
    stored = await stored_sources(database)
    assert stored == await computed_sources(database)
    return {s["name"] for sources in stored.values() for s in sources if s["slug"] == slug}


async def updated_times(database: Database) -> dict[int, dt.datetime]:
    async with database.session() as session:
        return dict((await session.execute(select(Story.id, Story.updated_at))).all())


async def test_a_source_renamed_inline_is_renamed_in_its_stories(database: Database) -> None:
    await write(database, *RICE, *NVIDIA)
    assert await names_of(database, "harbour-times") == {"Harbour Times"}
    before = await updated_times(database)
    # Another article of the source, defining it inline under a new name.
    renamed = {
        "slug": "harbour-times",
        "name": "The Harbour Times",
        "homepage_url": "https://harbour-times.example",
    }
    await write(database, 23, source=renamed)
    assert await names_of(database, "harbour-times") == {"The Harbour Times"}
    after = await updated_times(database)
    # The stories' articles did not change: their order among stories stays.
    assert {k: v for k, v in after.items() if k in before} == before


async def test_a_source_renamed_in_the_catalog_is_renamed_in_its_stories(
    database: Database,
) -> None:
    await write(database, *RICE, *NVIDIA)
    async with database.session(write=True) as session:
        await change(
            session,
            Source,
            "ledger",
            SourceUpdate(name="The Ledger"),
            replace=False,
            expected_version=None,
        )
    assert await names_of(database, "ledger") == {"The Ledger"}
    story, _ = await member_of(database, url(1))
    assert orjson.loads(story.sources)[1] == {"slug": "ledger", "name": "The Ledger"}
