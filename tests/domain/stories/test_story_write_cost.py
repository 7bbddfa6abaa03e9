"""What story assignment costs a single-article write, in statements (issue 25 targets).

The count is the difference between the same write with stories on and off, so a change to
the article write path itself does not move it; the bound is what the write path needs for
a new article (handed over by the upsert, not read back) that founds a story (its candidates
probed; the story, the membership, the signature and the candidate keys inserted) or joins a
stored one (the candidates and their founders in one statement, the three inserts, then the
story's aggregates read and updated).
"""

from __future__ import annotations

import pytest

from api.db.database import Database
from api.domain.articles.upsert import upsert_articles
from api.settings import get_settings
from tests.domain.stories.corpus import item, url
from tests.domain.stories.helpers import stories_by_url
from tests.fixtures.databases import recording_statements

pytestmark = pytest.mark.anyio

RICE = (0, 1, 2)  # one event told by three outlets
LONER = 23  # an unrelated article: founds its own story


async def _statements(database: Database, index: int, **overrides: object) -> int:
    sent: list[str] = []
    with recording_statements(database, lambda _where, sql: sent.append(sql)):
        async with database.session(write=True) as session:
            await upsert_articles(session, [item(index, **overrides)])
    return len(sent)


async def _cost(
    database: Database, monkeypatch: pytest.MonkeyPatch, index: int, off_index: int
) -> int:
    """Statements story assignment adds to creating article ``index``: twins of it under
    other URLs are written with stories off, the first so that its source and entities are
    stored before either counted write, the second to count the write path alone."""
    monkeypatch.setattr(get_settings(), "stories_enabled", False)
    await _statements(database, off_index, url=f"https://warm.example/{off_index}")
    without = await _statements(database, off_index, url=f"https://off.example/{off_index}")
    monkeypatch.setattr(get_settings(), "stories_enabled", True)
    with_stories = await _statements(database, index)
    return with_stories - without


@pytest.mark.parametrize(
    ("first", "then", "bound"),
    [
        pytest.param((), LONER, 5, id="founds-a-story"),
        pytest.param(RICE[:1], RICE[1], 6, id="joins-a-stored-story"),
    ],
)
async def test_a_single_create_adds_a_bounded_number_of_statements(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    first: tuple[int, ...],
    then: int,
    bound: int,
) -> None:
    for index in first:
        await _statements(database, index)
    cost = await _cost(database, monkeypatch, then, then)
    assert 0 < cost <= bound
    stories = await stories_by_url(database)  # the case counted is the one named
    together = [u for u, story in stories.items() if story == stories[url(then)]]
    assert sorted(together) == sorted(url(i) for i in (*first, then))
