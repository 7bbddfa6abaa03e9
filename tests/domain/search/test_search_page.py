"""search_page on both databases: ranking, syntax, filters, paging, sync with writes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, event, select, text

from api.db.database import Database
from api.domain.search import blocks as search_blocks
from api.domain.search.service import search_page
from api.domain.search.snippets import MARK_END, MARK_START, safe_snippet
from api.domain.shared.filters import ArticleFilter
from api.domain.shared.records import Page, SearchHit
from api.errors import InvalidInput
from api.models import Article
from tests.fixtures.search_corpus import (
    AI,
    BLOCK_QUERIES,
    DOCK_COUNT,
    HARBOR_COUNT,
    HARBOR_MATCHES,
    MARKETS,
    NOW,
    all_pages,
    ingest,
    item,
    seed,
)

pytestmark = pytest.mark.anyio


async def search(
    database: Database,
    q: str,
    article_filter: ArticleFilter | None = None,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[SearchHit]:
    async with database.session() as session:
        return await search_page(
            session, q, article_filter or ArticleFilter(), limit=limit, cursor=cursor, now=NOW
        )


async def slugs(
    database: Database, q: str, article_filter: ArticleFilter | None = None
) -> list[str]:
    return [hit.article.slug for hit in (await search(database, q, article_filter)).items]


@pytest.fixture(params=["as read", "in score order"])
def phrase_check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL checks a phrase's block as it reads it or in score order, by what its
    sample finds: each test that takes this runs both ways."""
    share = 0 if request.param == "as read" else 10**6
    monkeypatch.setattr(search_blocks, "IN_ORDER_SHARE", share)


@pytest.mark.usefixtures("phrase_check")
async def test_phrase_in_title_ranks_above_the_same_words_in_analysis(database: Database) -> None:
    await seed(database)
    assert await slugs(database, '"export ban"') == ["title-phrase", "analysis-phrase"]
    # Same age and same words: only the column weights separate them.
    hits = (await search(database, '"export ban"')).items
    assert hits[0].score > hits[1].score > 0


@pytest.mark.usefixtures("phrase_check")
async def test_phrase_needs_its_words_adjacent_and_in_order(database: Database) -> None:
    await seed(database)
    await ingest(database, [item("scrambled", "Ban on export of chips")])
    assert "scrambled" in await slugs(database, "export ban")
    assert "scrambled" not in await slugs(database, '"export ban"')


@pytest.mark.usefixtures("phrase_check")
async def test_or_and_exclusions(database: Database) -> None:
    await seed(database)
    assert set(await slugs(database, "giraffe OR okapi")) == {"giraffe", "okapi", "poacher"}
    assert set(await slugs(database, "giraffe -poacher")) == {"giraffe"}
    assert set(await slugs(database, 'giraffe OR okapi -"poacher arrested"')) == {
        "giraffe",
        "okapi",
    }
    assert await slugs(database, "giraffe okapi") == []


@pytest.mark.usefixtures("phrase_check")
async def test_phrases_in_the_analysis_match_and_exclude(database: Database) -> None:
    """PostgreSQL checks phrases on the compact copy first, which has no positions for
    the analysis: a phrase there must still match, and still exclude."""
    await ingest(
        database,
        [
            item("tapir-zoo", "Tapir born at the zoo", analysis=("Keepers say the calf is well.",)),
            item("tapir-wild", "Tapir seen in the wild", analysis=("The calf wandered off.",)),
            # "calf" has a position in the title too; the phrase is only in the analysis.
            item("calf-count", "Tapir calf count rises", analysis=("A calf wandered into town.",)),
        ],
    )
    assert set(await slugs(database, '"calf wandered"')) == {"tapir-wild", "calf-count"}
    assert set(await slugs(database, 'tapir -"calf wandered"')) == {"tapir-zoo"}


async def test_entity_names_and_aliases_are_searchable(database: Database) -> None:
    await seed(database)
    assert await slugs(database, "acme") == ["giraffe"]
    assert await slugs(database, '"globex holdings"') == ["okapi"]


async def test_no_match_is_an_empty_page(database: Database) -> None:
    await seed(database)
    page = await search(database, "xylophone")
    assert page.items == [] and page.next_cursor is None


async def test_filters_combine_with_search(database: Database) -> None:
    await seed(database)
    both = "giraffe OR okapi"
    assert await slugs(database, both, ArticleFilter(category="markets")) == ["okapi"]
    assert await slugs(database, both, ArticleFilter(entities=("acme",))) == ["giraffe"]
    assert set(await slugs(database, both, ArticleFilter(importance_min=6))) == {
        "giraffe",
        "poacher",
    }
    assert await slugs(database, both, ArticleFilter(category="nope")) == []
    # Category or source with more filters (SQLite tests these through an id set).
    markets = ArticleFilter(category="markets", importance_min=4)
    assert await slugs(database, both, markets) == []
    wire = ArticleFilter(source="wire", importance_min=6)
    assert set(await slugs(database, both, wire)) == {"giraffe", "poacher"}
    assert await slugs(database, both, ArticleFilter(source="nope")) == []


async def test_recency_breaks_equal_relevance(database: Database) -> None:
    await seed(database)
    hits = (await search(database, "harbor report", limit=HARBOR_COUNT)).items
    # Identical texts but for the number: newer stories (smaller n) come first.
    assert [h.article.slug for h in hits[:3]] == ["harbor-0", "harbor-1", "harbor-2"]
    assert hits[0].score > hits[-1].score


async def test_keyset_pages_return_every_hit_once_in_score_order(database: Database) -> None:
    await seed(database)
    whole = (await search(database, "harbor", limit=100)).items
    assert len(whole) == HARBOR_MATCHES
    paged: list[SearchHit] = []
    cursor = None
    while True:
        page = await search(database, "harbor", limit=4, cursor=cursor)
        paged.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [h.article.pk for h in paged] == [h.article.pk for h in whole]
    assert [h.score for h in paged] == [h.score for h in whole]
    assert [h.score for h in paged] == sorted((h.score for h in paged), reverse=True)


async def test_blocks_page_every_match_once_newest_block_first(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(database)
    whole = (await search(database, "harbor", limit=100)).items
    monkeypatch.setattr(search_blocks, "BLOCK_SIZE", 3)
    paged: list[SearchHit] = []
    cursor = None
    while True:
        page = await search(database, "harbor", limit=4, cursor=cursor)
        assert len(page.items) == 4 or page.next_cursor is None
        paged.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    pks = [h.article.pk for h in paged]
    assert sorted(pks) == sorted(h.article.pk for h in whole)  # each match exactly once
    # Ids follow ingestion: blocks of three, newest first, each ranked by score.
    newest_first = sorted(pks, reverse=True)
    blocks = [newest_first[i : i + 3] for i in range(0, len(newest_first), 3)]
    assert [sorted(pks[i : i + 3], reverse=True) for i in range(0, len(pks), 3)] == blocks
    for i in range(0, len(paged), 3):
        scores = [h.score for h in paged[i : i + 3]]
        assert scores == sorted(scores, reverse=True)


async def test_later_pages_keep_the_first_pages_anchor(database: Database) -> None:
    await seed(database)
    first = await search(database, "harbor", limit=5)
    assert first.next_cursor is not None
    async with database.session() as session:
        later = await search_page(
            session,
            "harbor",
            ArticleFilter(),
            limit=5,
            cursor=first.next_cursor,
            now=NOW + dt.timedelta(days=365),  # ignored: the cursor's anchor wins
        )
    whole = (await search(database, "harbor", limit=10)).items
    assert [h.score for h in later.items] == [h.score for h in whole[5:]]


@pytest.mark.parametrize(
    "cursor",
    [
        "WyJuZXdlc3QiLDE3OTMzOTY4MjEwMDAwMDAsMjk5XQ",  # a feed cursor
        "WyJzZWFyY2giLDEsIm5hbiIsMV0",  # ["search",1,"nan",1]
        "WyJzZWFyY2giLDEsIngiLDFd",  # ["search",1,"x",1]
        "WyJzZWFyY2giLDEsIjEuMCIsMF0",  # ["search",1,"1.0",0]
        "!!!",
    ],
)
async def test_bad_cursors_are_refused(database: Database, cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await search(database, "harbor", cursor=cursor)
    assert caught.value.invalid_params[0].name == "cursor"
    assert caught.value.status == 400


async def test_update_and_delete_keep_the_index_in_sync(
    database: Database, sync_engine: Engine
) -> None:
    await seed(database)
    await ingest(database, [item("giraffe", "Pelican sighting at the zoo")])
    assert await slugs(database, "pelican") == ["giraffe"]
    assert set(await slugs(database, "giraffe")) == {"poacher"}
    with sync_engine.begin() as connection:
        connection.execute(text("DELETE FROM articles WHERE slug = 'poacher'"))
    assert await slugs(database, "giraffe") == []
    assert await slugs(database, "poacher") == []


async def test_a_new_publication_time_rescores_the_article(database: Database) -> None:
    """PostgreSQL scores recency from the index's copy of the time: it must follow."""
    summary = "Tapir numbers rose again."
    await ingest(
        database,
        [
            item("tapir-a", "Tapir count", summary=summary, days_ago=20),
            item("tapir-b", "Tapir count", summary=summary, days_ago=2),
        ],
    )
    assert await slugs(database, "tapir") == ["tapir-b", "tapir-a"]
    await ingest(database, [item("tapir-a", "Tapir count", summary=summary, days_ago=0.5)])
    assert await slugs(database, "tapir") == ["tapir-a", "tapir-b"]


async def test_a_new_category_moves_the_article_in_walks(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL walks a common query's newest copies of a category: they must follow."""
    monkeypatch.setattr(search_blocks, "COMMON_HITS", 0)  # every query walks
    await ingest(
        database,
        [
            item("tapir-a", "Tapir count", category=AI),
            item("tapir-b", "Tapir count", category=MARKETS),
        ],
    )
    assert await slugs(database, "tapir", ArticleFilter(category="ai")) == ["tapir-a"]
    await ingest(database, [item("tapir-a", "Tapir count", category=MARKETS)])
    assert await slugs(database, "tapir", ArticleFilter(category="ai")) == []
    markets = await slugs(database, "tapir", ArticleFilter(category="markets"))
    assert sorted(markets) == ["tapir-a", "tapir-b"]


async def test_snippets_are_escaped_html_with_marks(database: Database) -> None:
    await seed(database)
    [hit] = (await search(database, "zebra")).items
    assert "<mark>zebra</mark>" in hit.snippet
    # SQLite keeps the tag as escaped text; PostgreSQL's parser drops tags from headlines.
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "script" not in hit.snippet or "&lt;script&gt;" in hit.snippet


async def test_snippets_come_from_where_the_match_is(database: Database) -> None:
    await seed(database)
    snippets = {hit.article.slug: hit.snippet for hit in (await search(database, "harbor")).items}
    # The docks name the harbor only in their analysis, the reports in their summary.
    for n in range(DOCK_COUNT):
        assert "<mark>harbor</mark> was quiet" in snippets[f"dock-{n}"]
    for n in range(HARBOR_COUNT):
        assert "Ships at the <mark>harbor</mark>" in snippets[f"harbor-{n}"]
    # A match in the title alone: no body text to mark, so the summary's start.
    [hit] = (await search(database, "sighting")).items
    assert hit.snippet.startswith("A short summary of the day")


async def test_a_word_in_the_title_and_the_analysis_is_marked_in_the_analysis(
    database: Database,
) -> None:
    """PostgreSQL reads the analysis's lexemes from the search document before it builds
    a headline there: a word the title also holds must still count as the analysis's."""
    await ingest(
        database,
        [
            item("heron-title", "Heron nests counted", analysis=("Volunteers met at dawn.",)),
            item(
                "heron-both",
                "Heron returns to the lake",
                analysis=("Egrets stayed away.", "A grey heron fished near the reeds."),
            ),
        ],
    )
    snippets = {hit.article.slug: hit.snippet for hit in (await search(database, "heron")).items}
    assert "grey <mark>heron</mark> fished" in snippets["heron-both"]
    assert snippets["heron-title"].startswith("A short summary of the day")


def test_safe_snippet_balances_stray_markers() -> None:
    start, end = MARK_START, MARK_END
    assert safe_snippet(f"a {start}b{end} <i>") == "a <mark>b</mark> &lt;i&gt;"
    assert safe_snippet(f"{end}x{start}y{start}z") == "x<mark>yz</mark>"
    assert safe_snippet(f"{start}a{end} {start}b{end}") == "<mark>a b</mark>"


def test_safe_snippet_leaves_private_use_characters_as_text() -> None:
    assert safe_snippet("\ue000<b>\ue001") == "\ue000&lt;b&gt;\ue001"


async def test_stored_private_use_characters_cannot_forge_a_highlight(
    database: Database,
) -> None:
    """Text holding the characters SQL once marked matches with gets no <mark> of its own,
    in the summary or the analysis, from FTS5's snippet() or ts_headline alike."""
    forged = "\ue000planted\ue001 claim near the heron"
    await ingest(
        database,
        [
            item("forged-summary", "Heron seen", summary=forged),
            item("forged-analysis", "Heron again", analysis=(f"Observers say {forged}.",)),
        ],
    )
    snippets = {hit.article.slug: hit.snippet for hit in (await search(database, "heron")).items}
    assert set(snippets) == {"forged-summary", "forged-analysis"}
    for snippet in snippets.values():
        assert snippet.count("<mark>") == snippet.count("</mark>") == 1, snippet
        assert "<mark>heron</mark>" in snippet
        assert "<mark>planted" not in snippet


async def test_statements_per_page_do_not_grow_with_the_limit(database: Database) -> None:
    await seed(database)
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for limit in (1, 25):
            statements.clear()
            async with database.session() as session:
                page = await search_page(
                    session, "harbor", ArticleFilter(), limit=limit, cursor=None
                )
            assert page.items and page.items[0].article.mentions is not None
            queries = [s for s in statements if s.split()[0].upper() not in {"BEGIN", "COMMIT"}]
            # SQLite: the page (which bounds its block) and the mentions. PostgreSQL: the
            # sample, the block's ids, the page and the mentions.
            expected = 2 if engine.dialect.name == "sqlite" else 4
            assert len(queries) == expected, queries
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("q", "article_filter"),
    [
        *BLOCK_QUERIES,
        ("harbor", ArticleFilter(importance_min=5)),
        ("harbor", ArticleFilter(category="ai", importance_min=5)),
        # Category and source alone: PostgreSQL walks the copies' own columns.
        ("harbor", ArticleFilter(category="ai")),
        ("harbor -report", ArticleFilter(source="wire")),
        ('"harbor report"', ArticleFilter(category="ai", source="wire")),
    ],
)
async def test_common_and_rare_queries_find_the_same_blocks(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    q: str,
    article_filter: ArticleFilter | None,
) -> None:
    """PostgreSQL finds a common query's blocks by testing the newest documents one by
    one (then the GIN index past that window), a rare one's through the GIN index, and
    checks a phrase as it reads a block or in score order; SQLite has one way. Every
    way must page through the same hits in the same order."""
    await seed(database)
    monkeypatch.setattr(search_blocks, "BLOCK_SIZE", 3)
    monkeypatch.setattr(search_blocks, "COMMON_HITS", 10**6)  # every query is rare
    rare = await all_pages(database, q, article_filter)
    for share in (0, 10**6):  # phrases checked as read, in score order
        monkeypatch.setattr(search_blocks, "IN_ORDER_SHARE", share)
        monkeypatch.setattr(search_blocks, "COMMON_HITS", 10**6)
        assert await all_pages(database, q, article_filter) == rare, share
        monkeypatch.setattr(search_blocks, "COMMON_HITS", 0)  # every query is common
        for window in (2, 5, 1000):  # past the window, inside it, all of it
            monkeypatch.setattr(search_blocks, "WALK_WINDOW", window)
            assert await all_pages(database, q, article_filter) == rare, (share, window)
    assert rare and len({pk for pk, _ in rare}) == len(rare)


@pytest.mark.usefixtures("phrase_check")
async def test_stop_words_with_an_exclusion_match_everything_else(database: Database) -> None:
    await seed(database)
    harbor = set(await slugs(database, "harbor"))
    without = set(await slugs(database, "the -harbor"))
    assert without and harbor and without.isdisjoint(harbor)
    if database.engine.dialect.name == "postgresql":
        # PostgreSQL indexes no stop word: "the" alone matches nothing; with an exclusion,
        # every article without the excluded word.
        assert await slugs(database, "the") == []
        async with database.session() as session:
            every = set((await session.scalars(select(Article.slug))).all())
        assert without == every - harbor
